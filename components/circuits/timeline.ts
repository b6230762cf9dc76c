// A breaker's states over a window as contiguous segments, for the timeline strip. Pure.
import type { CircuitJson, CircuitState } from '../../lib/query/types.ts';

export interface Segment {
  fromMs: number;
  toMs: number;
  state: CircuitState;
}

export const STATE_COLOR: Readonly<Record<CircuitState, string>> = {
  closed: '#73bf69',
  open: '#f2495c',
  forced_open: '#c4162a',
  half_open: '#ff9830',
  disabled: '#6e7681',
};

export const STATE_LABEL: Readonly<Record<CircuitState, string>> = {
  closed: 'closed',
  open: 'open',
  forced_open: 'forced open',
  half_open: 'half-open',
  disabled: 'disabled',
};

/** Segments covering [fromMs, toMs]: the initial state until the first transition, and so on. */
export function timelineSegments(c: Pick<CircuitJson, 'initialState' | 'transitions'>, fromMs: number, toMs: number): Segment[] {
  const out: Segment[] = [];
  let state = c.initialState;
  let at = fromMs;
  for (const t of c.transitions) {
    const x = Math.min(Math.max(t.atMs, fromMs), toMs);
    if (x > at) out.push({ fromMs: at, toMs: x, state });
    at = Math.max(at, x);
    state = t.to;
  }
  if (toMs > at) out.push({ fromMs: at, toMs, state });
  // Neighbours in the same state (a transition clipped away) read as one.
  return out.reduce<Segment[]>((acc, s) => {
    const last = acc.at(-1);
    if (last && last.state === s.state && last.toMs === s.fromMs) last.toMs = s.toMs;
    else acc.push({ ...s });
    return acc;
  }, []);
}
