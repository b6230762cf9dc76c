// The "shape" of a query: the same statement with different parameters has one shape, so
// N queries in a loop (`WHERE id = 1`, `WHERE id = 2`, …) are recognised as one repeated query.
import type { Span } from '../../model/index.ts';
import { attrString } from './trace-facts.ts';

export function normalizeQuery(text: string): string {
  return text
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+|:\w+|@\w+/g, '?')
    .replace(/\b0x[0-9a-f]+\b/gi, '?')
    .replace(/(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, '?')
    // `IN (?, ?, ?)` and multi-row VALUES differ only in length.
    .replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)/g, '(?)')
    .replace(/\(\?\)(?:\s*,\s*\(\?\))+/g, '(?)')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The shape of a database span, or undefined when it carries neither query text nor collection. */
export function queryShapeOf(span: Span): string | undefined {
  const text = attrString(span, 'db.query.text');
  if (text) return normalizeQuery(text);
  const collection = attrString(span, 'db.collection.name');
  if (!collection) return undefined;
  const op = attrString(span, 'db.operation.name') ?? span.name;
  return `${op} ${collection}`;
}

export function hasShapeAttributes(span: Span): boolean {
  return attrString(span, 'db.query.text') !== undefined || attrString(span, 'db.collection.name') !== undefined;
}
