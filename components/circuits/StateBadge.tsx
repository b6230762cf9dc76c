import type { CircuitState } from '../../lib/query/types.ts';
import { STATE_LABEL } from './timeline.ts';

// Reuses the severity pill colours: open reads as high, half-open as medium.
const CLASS: Record<CircuitState, string> = { open: 'sev-high', forced_open: 'sev-high', half_open: 'sev-medium', closed: 'sev-info', disabled: 'sev-low' };

export function StateBadge({ state, inferred }: { state: CircuitState; inferred: boolean }) {
  return (
    <span className={`sev ${CLASS[state]}`} data-state={state} style={inferred ? { outline: '1px dashed currentColor', outlineOffset: 1 } : undefined}>
      {STATE_LABEL[state]}
    </span>
  );
}
