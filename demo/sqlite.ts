// Real SQLite files through better-sqlite3, each statement traced as a DB CLIENT span. Two
// teams, two eras of semantic conventions: `legacy` spans use the old attribute names (db.system,
// db.name, db.statement, net.peer.name), `stable` ones the new (db.system.name, db.namespace,
// db.query.text, server.address). Faultline folds both onto one database identity.
import { basename } from 'node:path';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import Database from 'better-sqlite3';

export type Dialect = 'legacy' | 'stable';

export class TracedDb {
  private readonly db: Database.Database;
  /** The file names the database, like a host would for a server database. */
  private readonly address: string;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    file: string,
    private readonly namespace: string,
    private readonly dialect: Dialect,
    private readonly tracer: Tracer,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Two processes write the shared file: wait for the other's lock instead of failing.
    this.db.pragma('busy_timeout = 2000');
    this.address = basename(file);
  }

  /** Schema and seed data: not traced (it is deployment, not traffic). */
  setup(sql: string): void {
    this.db.exec(sql);
  }

  all<T>(operation: string, table: string, sql: string, ...params: unknown[]): T[] {
    return this.traced(operation, table, sql, () => this.prepared(sql).all(...params) as T[]);
  }

  get<T>(operation: string, table: string, sql: string, ...params: unknown[]): T | undefined {
    return this.traced(operation, table, sql, () => this.prepared(sql).get(...params) as T | undefined);
  }

  run(operation: string, table: string, sql: string, ...params: unknown[]): Database.RunResult {
    return this.traced(operation, table, sql, () => this.prepared(sql).run(...params));
  }

  close(): void {
    this.db.close();
  }

  private prepared(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private traced<T>(operation: string, table: string, sql: string, fn: () => T): T {
    const attributes =
      this.dialect === 'legacy'
        ? { 'db.system': 'sqlite', 'db.name': this.namespace, 'db.statement': sql, 'db.operation': operation, 'db.sql.table': table, 'net.peer.name': this.address }
        : {
            'db.system.name': 'sqlite',
            'db.namespace': this.namespace,
            'db.query.text': sql,
            'db.operation.name': operation,
            'db.collection.name': table,
            'server.address': this.address,
          };
    return this.tracer.startActiveSpan(`${operation} ${this.namespace}.${table}`, { kind: SpanKind.CLIENT, attributes }, (span) => {
      try {
        return fn();
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    });
  }
}
