import { describe, expect, it } from 'vitest';
import { isWriteOperation, parseSqlTables } from '../../lib/analysis/graph/sql-tables.ts';

describe('parseSqlTables', () => {
  it.each([
    ['SELECT * FROM orders o JOIN customers c ON o.cid = c.id', 'SELECT', ['customers', 'orders'], []],
    ['select a from public.orders, "Items" i where 1', 'SELECT', ['items', 'public.orders'], []],
    ['INSERT INTO audit (a) SELECT a FROM orders', 'INSERT', ['orders'], ['audit']],
    ['UPDATE orders SET x=1 WHERE id IN (SELECT id FROM pending)', 'UPDATE', ['pending'], ['orders']],
    ["DELETE FROM sessions WHERE note = 'from users'", 'DELETE', [], ['sessions']],
    ['insert into revinfo (rev, revtstmp) values (null, 1541485537', 'INSERT', [], ['revinfo']],
    ['REPLACE INTO kv (k, v) VALUES (?, ?)', 'REPLACE', [], ['kv']],
    ['INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = 2', 'INSERT', [], ['t']],
    ['MERGE INTO target USING source ON (1=1) WHEN MATCHED THEN UPDATE SET a = 1', 'MERGE', ['source'], ['target']],
    ['WITH x AS (SELECT id FROM a) UPDATE b SET y = 1 FROM x WHERE b.id = x.id', 'UPDATE', ['a'], ['b']],
    ['SELECT EXTRACT(YEAR FROM created) FROM invoices -- from comments', 'SELECT', ['invoices'], []],
    ['select * from `db`.`users` left join [dbo].[Roles] r on 1=1', 'SELECT', ['db.users', 'dbo.roles'], []],
    ['call next value for hibernate_sequence', 'CALL', [], []],
    ['COMMIT', 'COMMIT', [], []],
    ['************', '', [], []],
  ])('%s', (sql, op, reads, writes) => {
    expect(parseSqlTables(sql)).toEqual({ operation: op, reads, writes });
  });
});

describe('isWriteOperation', () => {
  it.each([
    ['INSERT', true],
    ['update', true],
    ['MERGE', true],
    ['insertOne', true],
    ['findAndModify', true],
    ['SET', true],
    ['SELECT', false],
    ['find', false],
    ['GET', false],
    ['', false],
  ])('%s → %s', (op, want) => {
    expect(isWriteOperation(op)).toBe(want);
  });
});
