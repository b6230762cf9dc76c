// Inference of a standard breaker at its boundaries: 9 vs 10 calls, 49% vs 50% failures, the
// 10 s window's edge, 29.9 s vs 30 s before the half-open probe, and both settings overridden.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CIRCUIT_SETTINGS, inferBreaker, type CallOutcome, type CircuitSettings } from '../../lib/analysis/circuits/index.ts';

const S = DEFAULT_CIRCUIT_SETTINGS;
const T0 = 1_800_000_000_000;

/** `n` calls, the last `failed` of them failing (so the rate peaks at the end), one every `stepMs` from T0. */
function calls(n: number, failed: number, stepMs = 10, from = T0): CallOutcome[] {
  return Array.from({ length: n }, (_, i) => ({ atMs: from + i * stepMs, failed: i >= n - failed }));
}
const states = (o: CallOutcome[], s: CircuitSettings = S, now = T0 + 5_000) => inferBreaker(o, s, now);

describe('inferBreaker: opening', () => {
  it.each([
    ['9 calls, all failing: too few to judge', calls(9, 9), 'closed'],
    ['10 calls, all failing', calls(10, 10), 'open'],
    ['10 calls, 5 failing (50%)', calls(10, 5), 'open'],
    ['10 calls, 4 failing (40%)', calls(10, 4), 'closed'],
    ['100 calls, 49 failing (49%)', calls(100, 49), 'closed'],
    ['100 calls, 50 failing (50%)', calls(100, 50), 'open'],
    ['no calls', [], 'closed'],
  ] as const)('%s', (_name, outcomes, want) => {
    expect(states([...outcomes]).state).toBe(want);
  });

  it('opens at the call that tipped the rate, not before', () => {
    const r = states(calls(10, 10));
    expect(r.transitions).toEqual([{ atMs: T0 + 90, from: 'closed', to: 'open' }]);
  });

  it('failures spread over 10 s exactly have left the window; 9.999 s still count', () => {
    // 10 failing calls spaced so the first and last are exactly windowMs apart: the first has left.
    const edge = calls(10, 10, 10_000 / 9);
    const exact = edge.map((o, i) => ({ ...o, atMs: T0 + (i === 9 ? 10_000 : Math.floor((i * 10_000) / 9)) }));
    expect(states(exact, S, T0 + 10_000).state).toBe('closed');
    const inside = exact.map((o, i) => (i === 9 ? { ...o, atMs: T0 + 9_999 } : o));
    expect(states(inside, S, T0 + 10_000).state).toBe('open');
  });

  it('a success-heavy old window does not dilute fresh failures once it slides out', () => {
    const old = calls(20, 0, 10, T0);
    const fresh = calls(10, 10, 10, T0 + 20_000);
    expect(states([...old, ...fresh], S, T0 + 20_100).state).toBe('open');
  });
});

describe('inferBreaker: half-open after openMs', () => {
  const opened = calls(10, 10); // opens at T0 + 90
  const openAt = T0 + 90;

  it('29.9 s after opening it is still open; at 30 s it is half-open', () => {
    expect(states(opened, S, openAt + 29_900).state).toBe('open');
    const r = states(opened, S, openAt + 30_000);
    expect(r.state).toBe('half_open');
    expect(r.transitions.at(-1)).toEqual({ atMs: openAt + 30_000, from: 'open', to: 'half_open' });
  });

  it('calls during the open period would have been rejected and do not move it', () => {
    const during = [...opened, { atMs: openAt + 29_900, failed: false }];
    const r = states(during, S, openAt + 29_950);
    expect(r.state).toBe('open');
    expect(r.wouldReject).toBe(1);
  });

  it('a successful probe at 30 s closes; a failed probe re-opens', () => {
    const ok = states([...opened, { atMs: openAt + 30_000, failed: false }], S, openAt + 30_001);
    expect(ok.transitions.map((t) => t.to)).toEqual(['open', 'half_open', 'closed']);
    expect(ok.transitions[1].atMs).toBe(openAt + 30_000);
    const bad = states([...opened, { atMs: openAt + 31_000, failed: true }], S, openAt + 31_001);
    expect(bad.transitions.map((t) => t.to)).toEqual(['open', 'half_open', 'open']);
    expect(bad.transitions[2]).toEqual({ atMs: openAt + 31_000, from: 'half_open', to: 'open' });
  });

  it('after closing, the window starts empty (old failures do not re-open it)', () => {
    // A 1 s open period keeps the old failures inside the 10 s window: only clearing forgets them.
    const s = { ...S, openMs: 1_000 };
    const seq = [...opened, { atMs: openAt + 1_000, failed: false }, ...calls(9, 9, 10, openAt + 1_010)];
    expect(states(seq, s, openAt + 1_200).state).toBe('closed');
    expect(states([...seq, { atMs: openAt + 1_200, failed: true }], s, openAt + 1_300).state).toBe('open');
  });
});

describe('inferBreaker: settings', () => {
  it('a 30% threshold opens at 3 of 10 (no floating-point miss) and not at 2 of 10', () => {
    const s = { ...S, failureRateThreshold: 0.3 };
    expect(states(calls(10, 3), s).state).toBe('open');
    expect(states(calls(10, 2), s).state).toBe('closed');
  });

  it('minimumCalls and openMs are honoured', () => {
    const s = { ...S, minimumCalls: 3, openMs: 1_000 };
    expect(states(calls(3, 3), s, T0 + 20).state).toBe('open');
    expect(states(calls(3, 3), s, T0 + 20 + 999).state).toBe('open');
    expect(states(calls(3, 3), s, T0 + 20 + 1_000).state).toBe('half_open');
  });

  it('a 2 s window forgets failures older than 2 s', () => {
    const s = { ...S, windowMs: 2_000 };
    expect(states(calls(10, 10, 250), s, T0 + 5_000).state).toBe('closed');
    expect(states(calls(10, 10, 200), s, T0 + 5_000).state).toBe('open');
  });
});
