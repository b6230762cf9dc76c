// What a standard breaker would have done on an edge, replayed over the calls Faultline saw.
// The model is the common core of resilience4j (time-based window), opossum and Polly:
//  - closed: each completed call enters a sliding window of the last `windowMs`; once the
//    window holds ≥ minimumCalls and failures / calls ≥ failureRateThreshold, it opens;
//  - open: calls are refused (counted as `wouldReject`) until `openMs` has passed, then it is
//    half-open from exactly openedAt + openMs (a timer moves it, not a call);
//  - half-open: the next call is the probe: success closes (window cleared), failure re-opens.
// Boundaries (the table tests pin them): a call exactly `windowMs` older than the newest has left
// the window; the rate compares with ≥; half-open at ≥ openMs.
import type { BreakerState, CallOutcome, CircuitSettings, Transition } from './types.ts';

// 0.3 * 10 is 3.0000000000000004 in floating point: compare rates with a hair of tolerance.
const RATE_EPSILON = 1e-12;

export interface InferredTimeline {
  state: BreakerState;
  transitions: Transition[];
  wouldReject: number;
}

/** `outcomes` sorted by atMs (ties keep their order). `nowMs`: the end of the window. */
export function inferBreaker(outcomes: readonly CallOutcome[], s: CircuitSettings, nowMs: number): InferredTimeline {
  const transitions: Transition[] = [];
  let state = 'closed' as BreakerState;
  let openedAt = 0;
  let wouldReject = 0;
  // The window is outcomes[head..end) of `win`; a plain array with a moving head avoids shift().
  let win: CallOutcome[] = [];
  let head = 0;
  let failures = 0;
  const move = (atMs: number, to: BreakerState) => {
    transitions.push({ atMs, from: state, to });
    state = to;
  };
  const clear = () => {
    win = [];
    head = 0;
    failures = 0;
  };

  for (const o of outcomes) {
    if (state === 'open') {
      if (o.atMs - openedAt < s.openMs) {
        wouldReject++;
        continue;
      }
      move(openedAt + s.openMs, 'half_open');
    }
    if (state === 'half_open') {
      if (o.failed) {
        move(o.atMs, 'open');
        openedAt = o.atMs;
      } else {
        move(o.atMs, 'closed');
      }
      clear();
      continue;
    }
    win.push(o);
    if (o.failed) failures++;
    while (head < win.length && win[head].atMs <= o.atMs - s.windowMs) {
      if (win[head].failed) failures--;
      head++;
    }
    if (head > 1024 && head * 2 > win.length) {
      win = win.slice(head);
      head = 0;
    }
    const calls = win.length - head;
    if (calls >= s.minimumCalls && failures / calls >= s.failureRateThreshold - RATE_EPSILON) {
      move(o.atMs, 'open');
      openedAt = o.atMs;
      clear();
    }
  }
  if (state === 'open' && nowMs - openedAt >= s.openMs) move(openedAt + s.openMs, 'half_open');
  return { state, transitions, wouldReject };
}

/** Settings from user input: each field checked, a clear message for the first bad one. */
export function checkSettings(s: CircuitSettings): string | undefined {
  if (!(s.failureRateThreshold > 0 && s.failureRateThreshold <= 1)) return 'failureRateThreshold must be in (0, 1]';
  if (!Number.isInteger(s.minimumCalls) || s.minimumCalls < 1) return 'minimumCalls must be a whole number ≥ 1';
  if (!(s.windowMs > 0) || !Number.isFinite(s.windowMs)) return 'windowMs must be a positive duration';
  if (!(s.openMs > 0) || !Number.isFinite(s.openMs)) return 'openMs must be a positive duration';
  return undefined;
}
