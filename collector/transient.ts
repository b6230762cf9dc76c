// Which store failures a retry can cure. Those are answered 503 + Retry-After (clients retry);
// anything else is a fault a retry would repeat. WIRE.md: never 500 for a transient condition.
const TRANSIENT_CODES = /^(SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|NOMEM|PROTOCOL|READONLY)|ECONN|ETIMEDOUT|57P0|53|40001|40P01|08)/;

export function isTransientStoreError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_CODES.test(code)) return true;
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && /database is locked|busy|disk is full|out of memory/i.test(message);
}
