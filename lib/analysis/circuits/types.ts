// Circuit-breaker states as Faultline shows them: one row per breaker (reported) or per edge
// without one (inferred). Times are epoch milliseconds: transitions are shown, not paired.

/** resilience4j's five states; opossum, cockatiel, Polly and the convention use the first three. */
export type BreakerState = 'closed' | 'open' | 'half_open' | 'forced_open' | 'disabled';

export const BREAKER_STATES: readonly BreakerState[] = ['closed', 'open', 'half_open', 'forced_open', 'disabled'];

/** Where a breaker's state came from. `inferred` is Faultline's guess, never shown as reported. */
export type CircuitSource = 'reported' | 'inferred';

/** The shape that reported it (WIRE.md "Circuit-breaker state"). */
export type Reporter = 'span-event' | 'gauge' | 'resilience4j' | 'polly';

/** How a reported breaker was tied to its edge: a peer attribute, the calls it wraps, or its name. */
export type MappedBy = 'peer' | 'wrapped-calls' | 'name';

/** One reading of a breaker's state. */
export interface StateObservation {
  /** The reporting (calling) service, normalized. */
  service: string;
  breaker: string;
  /** `service.peer.name` when the reporter named the protected callee. */
  peer?: string;
  state: BreakerState;
  atMs: number;
  reporter: Reporter;
  /**
   * True for a sampled level (a gauge says "open now"), false for a change (an event says "it
   * became open"). Levels are only used when a breaker reports no changes: a gauge sampled every
   * export interval would put each transition at a later, wrong instant.
   */
  sampled: boolean;
}

export interface CallOutcome {
  /** When the call completed (a breaker records an outcome then). */
  atMs: number;
  failed: boolean;
}

export interface Transition {
  atMs: number;
  /** null when the state before is unknown (the first change seen in the window). */
  from: BreakerState | null;
  to: BreakerState;
}

/** A standard breaker, for inference. Defaults: WIRE.md (50% over ≥10 calls in 10 s; probe after 30 s). */
export interface CircuitSettings {
  /** Share of failed calls in the window that opens the breaker (0..1, inclusive). */
  failureRateThreshold: number;
  /** Calls the window must hold before the rate counts. */
  minimumCalls: number;
  /** Sliding window: calls that completed less than this long ago count. */
  windowMs: number;
  /** How long an open breaker waits before letting one probe through (half-open). */
  openMs: number;
}

export const DEFAULT_CIRCUIT_SETTINGS: Readonly<CircuitSettings> = Object.freeze({
  failureRateThreshold: 0.5,
  minimumCalls: 10,
  windowMs: 10_000,
  openMs: 30_000,
});

export interface Circuit {
  /** Stable id: `reported:<caller>|<breaker>` or `inferred:<caller>-><callee>`. */
  id: string;
  caller: string;
  /** null for a reported breaker Faultline could not tie to an edge (still shown). */
  callee: string | null;
  breaker: string | null;
  source: CircuitSource;
  reporters: Reporter[];
  mappedBy: MappedBy | null;
  /** State at the end of the window. */
  state: BreakerState;
  /** State before the first transition (the start of a timeline strip). */
  initialState: BreakerState;
  /** Oldest first, at most MAX_TRANSITIONS (the newest kept). */
  transitions: Transition[];
  transitionsDropped: number;
  lastTransitionMs: number | null;
  /** Calls sent on the edge in the window (rejected ones excluded), and how many failed. */
  calls: number;
  failures: number;
  failureRate: number;
  /** Calls the open breaker refused (client spans marked `circuit_breaker.state=open`). */
  rejected: number;
  /** Inferred only: calls a standard breaker would have refused while open. */
  wouldReject?: number;
}

export const MAX_TRANSITIONS = 500;
