// Rule state must stay small while a million spans stream past (≤1 GB for the whole analysis):
// every keyed map has a ceiling, and what did not fit is counted, never silently lost.
import { MAX_TRACE_IDS, type SpanRef } from './types.ts';

export class CappedMap<K, V> extends Map<K, V> {
  dropped = 0;
  constructor(readonly limit: number) {
    super();
  }

  /** The entry for `key`, created with `make` if there is room; undefined (and counted) if not. */
  upsert(key: K, make: () => V): V | undefined {
    const v = this.get(key);
    if (v !== undefined) return v;
    if (this.size >= this.limit) {
      this.dropped++;
      return undefined;
    }
    const created = make();
    this.set(key, created);
    return created;
  }
}

/** Keeps the first few distinct example trace ids. */
export function addExample(list: string[], traceId: string, max = MAX_TRACE_IDS): void {
  if (list.length < max && !list.includes(traceId)) list.push(traceId);
}

export function spanRefs(nodes: readonly { span: { traceId: string; spanId: string } }[], max = 20): SpanRef[] {
  return nodes.slice(0, max).map((n) => ({ traceId: n.span.traceId, spanId: n.span.spanId }));
}

/** Median of a small sample (rules keep bounded samples, see Reservoir). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * A fixed-size uniform sample (Vitter's algorithm R) with a deterministic generator, so the same
 * input always yields the same findings (analysis must not depend on Math.random).
 */
export class Reservoir {
  readonly values: number[] = [];
  private seen = 0;
  private seed = 0x9e3779b9;
  constructor(readonly size: number) {}

  add(v: number): void {
    this.seen++;
    if (this.values.length < this.size) {
      this.values.push(v);
      return;
    }
    // xorshift32: cheap, deterministic.
    this.seed ^= this.seed << 13;
    this.seed ^= this.seed >>> 17;
    this.seed ^= this.seed << 5;
    const j = (this.seed >>> 0) % this.seen;
    if (j < this.size) this.values[j] = v;
  }

  get count(): number {
    return this.seen;
  }
}

/** Rounds a ratio or a millisecond figure for evidence, so reports do not show 0.30000000000000004. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
