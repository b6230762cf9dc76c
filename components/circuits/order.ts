import type { CircuitState } from '../../lib/query/types.ts';

/** Sort order for the State column: the states that need attention first when descending. */
export const STATE_SEVERITY_ORDER: Readonly<Record<CircuitState, number>> = { open: 4, forced_open: 3, half_open: 2, closed: 1, disabled: 0 };
