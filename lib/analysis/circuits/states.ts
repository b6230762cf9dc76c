// Breaker-state spellings of every library → one BreakerState.
import type { AttributeValue } from '../../model/index.ts';
import type { BreakerState } from './types.ts';

const ALIASES: Record<string, BreakerState> = {
  closed: 'closed',
  close: 'closed',
  open: 'open',
  opened: 'open',
  half_open: 'half_open',
  halfopen: 'half_open',
  'half-open': 'half_open',
  half_opened: 'half_open',
  forced_open: 'forced_open',
  forcedopen: 'forced_open',
  isolated: 'forced_open',
  disabled: 'disabled',
  metrics_only: 'disabled',
};

/** `HALF_OPEN`, `halfOpen`, `half-open` … → `half_open`; undefined for anything else. */
export function parseBreakerState(v: AttributeValue | undefined): BreakerState | undefined {
  if (typeof v !== 'string') return undefined;
  const k = v
    .trim()
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
  return ALIASES[k] ?? ALIASES[k.replace(/[-\s]/g, '_')];
}

/** Faultline's gauge `circuit_breaker.state`: 0 closed, 1 open, 2 half_open. */
export function stateOfGaugeValue(v: number | undefined): BreakerState | undefined {
  return v === 0 ? 'closed' : v === 1 ? 'open' : v === 2 ? 'half_open' : undefined;
}

/** Polly v8 resilience event names (tag `event.name`). */
export const POLLY_EVENTS: Readonly<Record<string, BreakerState>> = {
  OnCircuitOpened: 'open',
  OnCircuitHalfOpened: 'half_open',
  OnCircuitClosed: 'closed',
};

export const STATE_SEVERITY: Readonly<Record<BreakerState, number>> = { open: 4, forced_open: 3, half_open: 2, closed: 1, disabled: 0 };
