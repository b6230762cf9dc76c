// Exact positions for JSON syntax errors. JSON.parse says only "Unexpected token" with an
// offset in some Node versions and none in others; a trace file error must name line:column.
// This runs only on the (rare) text that JSON.parse already refused, so it favours clarity.

export interface JsonSyntaxProblem {
  /** Offset in the text (UTF-16 units) where the problem is. */
  offset: number;
  reason: string;
}

/** Returns where and why `text` is not one JSON value, or undefined if it is valid. */
export function locateJsonError(text: string): JsonSyntaxProblem | undefined {
  const v = new Validator(text);
  try {
    v.ws();
    v.value();
    v.ws();
    if (v.i < text.length) return { offset: v.i, reason: `unexpected ${describe(text, v.i)} after the end of the JSON value` };
    return undefined;
  } catch (e) {
    if (e instanceof Problem) return { offset: e.offset, reason: e.reason };
    if (e instanceof RangeError) return { offset: v.i, reason: 'JSON nested too deeply' };
    throw e;
  }
}

/** Line and column (both 1-based) of `offset` in `text`, counting from a given start position. */
export function positionIn(text: string, offset: number, startLine = 1, startColumn = 1): { line: number; column: number } {
  let line = startLine;
  let lineStart = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i;
    }
  }
  return lineStart < 0 ? { line, column: startColumn + offset } : { line, column: offset - lineStart };
}

class Problem {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

function describe(text: string, i: number): string {
  if (i >= text.length) return 'end of input';
  const c = text[i];
  if (c === '\n') return 'line break';
  return `character ${JSON.stringify(c)}`;
}

class Validator {
  i = 0;
  constructor(private readonly s: string) {}

  private fail(reason: string, at = this.i): never {
    throw new Problem(at, reason);
  }

  private expectedButFound(what: string): never {
    if (this.i >= this.s.length) this.fail(`unexpected end of input, expected ${what} (truncated JSON?)`);
    this.fail(`expected ${what}, found ${describe(this.s, this.i)}`);
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  value(): void {
    const c = this.s[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const lit of ['true', 'false', 'null']) {
      if (this.s.startsWith(lit, this.i)) {
        this.i += lit.length;
        return;
      }
    }
    this.expectedButFound('a value');
  }

  private object(): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.expectedButFound('a string key');
      this.string();
      this.ws();
      if (this.s[this.i] !== ':') this.expectedButFound("':' after a key");
      this.i++;
      this.ws();
      this.value();
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        return;
      }
      this.expectedButFound("',' or '}' after a member");
    }
  }

  private array(): void {
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      this.value();
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return;
      }
      this.expectedButFound("',' or ']' after an element");
    }
  }

  private string(): void {
    const s = this.s;
    this.i++;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 34) {
        this.i++;
        return;
      }
      if (c < 32) this.fail(c === 10 ? 'line break inside a string' : 'control character inside a string');
      if (c === 92) {
        const e = s[this.i + 1];
        if (e === undefined) break;
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(this.i + 2, this.i + 6))) this.fail('invalid \\u escape');
          this.i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e)) this.fail(`invalid escape \\${e}`);
        this.i += 2;
        continue;
      }
      this.i++;
    }
    this.fail('unexpected end of input inside a string (truncated JSON?)');
  }

  private number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m || m[0] === '-' || m[0] === '') this.fail('invalid number');
    this.i += m[0].length;
  }
}
