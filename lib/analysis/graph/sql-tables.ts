// Tables a SQL statement reads and writes, from the statement text alone. Good enough for the
// statements ORMs and drivers emit (SELECT … FROM/JOIN, INSERT INTO, UPDATE, DELETE FROM, MERGE
// INTO, REPLACE INTO, and INSERT … SELECT); deliberately not a SQL parser. Literals and comments
// are blanked first so `WHERE note = 'from x'` does not invent a table `x`.

export interface SqlTables {
  /** Upper-case leading keyword (SELECT, INSERT, …), '' when none. */
  operation: string;
  reads: string[];
  writes: string[];
}

const WRITE_OPS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'UPSERT', 'TRUNCATE', 'CREATE', 'ALTER', 'DROP']);

/** True for operation names (SQL keywords or db.operation.name values) that change data. */
export function isWriteOperation(op: string): boolean {
  const u = op.trim().toUpperCase();
  if (WRITE_OPS.has(u)) return true;
  // NoSQL and driver spellings: insertOne, updateMany, findAndModify, deleteItem, PutItem, SET, HSET, DEL …
  return /^(INSERT|UPDATE|DELETE|REPLACE|UPSERT|PUT|SET|HSET|HMSET|MSET|DEL|HDEL|LPUSH|RPUSH|SADD|ZADD|INCR|DECR|EXPIRE|FINDANDMODIFY|FINDONEANDUPDATE|FINDONEANDDELETE|FINDONEANDREPLACE|BULKWRITE|BATCHWRITE|WRITE|SAVE|REMOVE)/.test(u);
}

// An identifier, optionally quoted and schema-qualified: a.b, "A"."b", `a`.`b`, [a].[b].
const IDENT = String.raw`(?:"[^"]+"|\x60[^\x60]+\x60|\[[^\]]+\]|[A-Za-z_][\w$#@]*)(?:\s*\.\s*(?:"[^"]+"|\x60[^\x60]+\x60|\[[^\]]+\]|[A-Za-z_][\w$#@]*)){0,2}`;

const KEYWORDS_NOT_TABLES = new Set(['select', 'lateral', 'only', 'unnest', 'values', 'table', 'dual', 'set', 'where', 'when', 'into', 'from']);

function clean(name: string): string {
  return name
    .split('.')
    .map((p) => p.trim().replace(/^["`[]|["`\]]$/g, ''))
    .join('.')
    .toLowerCase();
}

function blank(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    // EXTRACT(YEAR FROM col), TRIM(x FROM y) … use FROM without naming a table.
    .replace(/\b(EXTRACT|TRIM|SUBSTRING|POSITION|OVERLAY)\s*\([^()]*\)/gi, ' $1() ');
}

export function parseSqlTables(sql: string): SqlTables {
  const text = blank(sql);
  const lead = /^\s*\(?\s*([A-Za-z]+)/.exec(text);
  let operation = lead ? lead[1].toUpperCase() : '';
  const writes = new Set<string>();
  const reads = new Set<string>();
  const add = (set: Set<string>, raw: string): void => {
    const n = clean(raw);
    if (n && !KEYWORDS_NOT_TABLES.has(n)) set.add(n);
  };

  // A CTE's body decides what the statement does: `WITH x AS (…) UPDATE t …` writes t.
  if (operation === 'WITH') {
    const m = /\)\s*(SELECT|INSERT|UPDATE|DELETE|MERGE)\b/i.exec(text);
    if (m) operation = m[1].toUpperCase();
  }

  const writeRe = new RegExp(String.raw`\b(?:INSERT\s+(?:IGNORE\s+)?(?:INTO\s+)?|REPLACE\s+(?:INTO\s+)?|MERGE\s+(?:INTO\s+)?|UPDATE\s+(?:ONLY\s+)?|DELETE\s+(?:FROM\s+)?|TRUNCATE\s+(?:TABLE\s+)?)(${IDENT})`, 'gi');
  const writeSpans: [number, number][] = [];
  for (let m = writeRe.exec(text); m; m = writeRe.exec(text)) {
    // `ON DUPLICATE KEY UPDATE col = …` is not an UPDATE of a table.
    const before = text.slice(Math.max(0, m.index - 20), m.index);
    if (/KEY\s*$/i.test(before)) continue;
    // `DELETE FROM t` is matched by this regex; record its span so FROM below skips it.
    add(writes, m[1]);
    writeSpans.push([m.index, m.index + m[0].length]);
  }

  // FROM a [alias], b [alias] … and JOIN c.
  const fromRe = new RegExp(String.raw`\b(FROM|JOIN|USING)\s+(${IDENT})((?:\s+(?:AS\s+)?(?!WHERE|JOIN|ON|GROUP|ORDER|LIMIT|INNER|LEFT|RIGHT|FULL|CROSS|UNION|SET|VALUES)[A-Za-z_]\w*)?(?:\s*,\s*${IDENT}(?:\s+(?:AS\s+)?(?!WHERE|JOIN|ON|GROUP|ORDER|LIMIT)[A-Za-z_]\w*)?)*)`, 'gi');
  for (let m = fromRe.exec(text); m; m = fromRe.exec(text)) {
    if (writeSpans.some(([s, e]) => m!.index >= s && m!.index < e)) continue;
    // `DELETE … USING`/`MERGE … USING` sources are reads, as are plain FROM/JOIN tables.
    add(reads, m[2]);
    const rest = m[3];
    if (rest && rest.includes(',')) {
      for (const part of rest.split(',').slice(1)) {
        const t = new RegExp(`^\\s*(${IDENT})`).exec(part);
        if (t) add(reads, t[1]);
      }
    }
  }
  // Common table expressions are names local to the statement, not tables.
  for (const m of text.matchAll(new RegExp(String.raw`(?:\bWITH\s+(?:RECURSIVE\s+)?|,\s*)(${IDENT})\s+AS\s*\(`, 'gi'))) reads.delete(clean(m[1]));
  return { operation, reads: [...reads].sort(), writes: [...writes].sort() };
}
