// Span facts + metric observations → one Circuit per reported breaker and one inferred Circuit
// per edge no breaker reports on. Pure: the window's end (`nowMs`) comes in.
import { inferBreaker } from './infer.ts';
import { mapBreaker } from './mapping.ts';
import { breakerKey, type EdgeCalls, type SpanFacts } from './span-facts.ts';
import { STATE_SEVERITY } from './states.ts';
import { MAX_TRANSITIONS, type BreakerState, type Circuit, type CircuitSettings, type Reporter, type StateObservation, type Transition } from './types.ts';

// Same-instant changes (a Polly export that saw a whole cycle) are ordered as the cycle runs.
const CYCLE: Record<BreakerState, number> = { closed: 2, open: 0, forced_open: 0, half_open: 1, disabled: 3 };

// Where a strip starts when the first change names no prior state: the standard cycle's previous step.
const PREDECESSOR: Record<BreakerState, BreakerState> = { open: 'closed', forced_open: 'closed', half_open: 'open', closed: 'half_open', disabled: 'closed' };

interface Timeline {
  state: BreakerState;
  initialState: BreakerState;
  transitions: Transition[];
}

/** Changes (events) when the breaker reported any; else the sampled levels (gauges). */
export function reportedTimeline(obs: readonly StateObservation[]): Timeline | undefined {
  const changes = obs.filter((o) => !o.sampled);
  const use = (changes.length > 0 ? changes : obs).slice().sort((a, b) => a.atMs - b.atMs || CYCLE[a.state] - CYCLE[b.state]);
  if (use.length === 0) return undefined;
  const transitions: Transition[] = [];
  // A gauge read before the first reported change says what it changed from.
  let state: BreakerState | null = null;
  if (changes.length > 0) {
    let before: StateObservation | undefined;
    for (const o of obs) if (o.sampled && o.atMs < use[0].atMs && (!before || o.atMs >= before.atMs)) before = o;
    state = before?.state ?? null;
  }
  for (const o of use) {
    if (o.state === state) continue;
    // The first gauge reading is where the strip starts, not a change; the first event is a change.
    if (state !== null || !o.sampled) transitions.push({ atMs: o.atMs, from: state, to: o.state });
    state = o.state;
  }
  const first = transitions[0];
  const initialState = changes.length > 0 ? (first?.from ?? PREDECESSOR[first.to]) : use[0].state;
  return { state: state!, initialState, transitions };
}

function capped(ts: Transition[]): { transitions: Transition[]; dropped: number } {
  return ts.length <= MAX_TRANSITIONS ? { transitions: ts, dropped: 0 } : { transitions: ts.slice(ts.length - MAX_TRANSITIONS), dropped: ts.length - MAX_TRANSITIONS };
}

function rates(e: EdgeCalls | undefined) {
  const calls = e?.outcomes.length ?? 0;
  let failures = 0;
  for (const o of e?.outcomes ?? []) if (o.failed) failures++;
  return { calls, failures, failureRate: calls ? Math.round((failures / calls) * 1000) / 1000 : 0, rejected: e?.rejected ?? 0 };
}

export function buildCircuits(facts: SpanFacts, metricObs: readonly StateObservation[], settings: CircuitSettings, nowMs: number): Circuit[] {
  const byBreaker = new Map<string, StateObservation[]>();
  for (const o of [...facts.observations, ...metricObs]) {
    const k = breakerKey(o.service, o.breaker);
    let l = byBreaker.get(k);
    if (!l) byBreaker.set(k, (l = []));
    l.push(o);
  }
  const calleesOf = new Map<string, Set<string>>();
  for (const e of facts.edges.values()) {
    let s = calleesOf.get(e.caller);
    if (!s) calleesOf.set(e.caller, (s = new Set()));
    s.add(e.callee);
  }

  const out: Circuit[] = [];
  const protectedEdges = new Set<string>();
  for (const [k, obs] of byBreaker) {
    const t = reportedTimeline(obs);
    if (!t) continue;
    const { service: caller, breaker } = obs[0];
    const peer = [...obs].reverse().find((o) => o.peer)?.peer ?? facts.breakerPeers.get(k);
    const mapped = mapBreaker({ caller, breaker, peer, wrapped: facts.wrapped.get(k), callees: calleesOf.get(caller) ?? [], services: facts.services });
    const edgeKey = mapped ? `${caller}->${mapped.callee}` : undefined;
    if (edgeKey) protectedEdges.add(edgeKey);
    const { transitions, dropped } = capped(t.transitions);
    const reporters = [...new Set(obs.map((o) => o.reporter))].sort() as Reporter[];
    out.push({
      id: `reported:${caller}|${breaker}`,
      caller,
      callee: mapped?.callee ?? null,
      breaker,
      source: 'reported',
      reporters,
      mappedBy: mapped?.by ?? null,
      state: t.state,
      initialState: t.initialState,
      transitions,
      transitionsDropped: dropped,
      lastTransitionMs: transitions.at(-1)?.atMs ?? null,
      ...rates(edgeKey ? facts.edges.get(edgeKey) : undefined),
    });
  }
  for (const [key, e] of facts.edges) {
    if (protectedEdges.has(key)) continue;
    const inf = inferBreaker(e.outcomes, settings, nowMs);
    const { transitions, dropped } = capped(inf.transitions);
    out.push({
      id: `inferred:${key}`,
      caller: e.caller,
      callee: e.callee,
      breaker: null,
      source: 'inferred',
      reporters: [],
      mappedBy: null,
      state: inf.state,
      initialState: 'closed',
      transitions,
      transitionsDropped: dropped,
      lastTransitionMs: transitions.at(-1)?.atMs ?? null,
      ...rates(e),
      wouldReject: inf.wouldReject,
    });
  }
  return out.sort(
    (a, b) =>
      STATE_SEVERITY[b.state] - STATE_SEVERITY[a.state] ||
      (a.source === b.source ? 0 : a.source === 'reported' ? -1 : 1) ||
      b.failureRate - a.failureRate ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** `caller->callee` edges a reported breaker protects (the findings rules' breakerEdges). */
export function reportedEdges(circuits: readonly Circuit[]): string[] {
  return [...new Set(circuits.filter((c) => c.source === 'reported' && c.callee !== null).map((c) => `${c.caller}->${c.callee}`))].sort();
}
