// One breaker's states across the window: a thin strip, d3 computes the time scale, React draws.
import { scaleTime } from 'd3';
import type { CircuitJson } from '../../lib/query/types.ts';
import { formatDateTime } from '../ui/format.ts';
import { STATE_COLOR, STATE_LABEL, timelineSegments } from './timeline.ts';

export function TimelineStrip({ circuit, fromMs, toMs, width = 220, height = 14 }: { circuit: CircuitJson; fromMs: number; toMs: number; width?: number; height?: number }) {
  const x = scaleTime().domain([fromMs, toMs]).range([0, width]).clamp(true);
  const segments = timelineSegments(circuit, fromMs, toMs);
  return (
    <svg className="circuit-strip" width={width} height={height} role="img" aria-label={`${STATE_LABEL[circuit.state]} now; ${circuit.transitions.length} transitions in the window`} data-testid="circuit-strip">
      <rect x={0} y={0} width={width} height={height} rx={2} fill="#1f2430" />
      {segments.map((s) => {
        // A breaker open for seconds of a 15-minute window is still worth seeing: at least 3 px.
        const w = Math.max(s.state === 'closed' ? 1 : 3, x(s.toMs) - x(s.fromMs));
        return (
          <rect key={s.fromMs} x={Math.min(x(s.fromMs), width - w)} y={circuit.source === 'inferred' ? 3 : 0} width={w} height={circuit.source === 'inferred' ? height - 6 : height} fill={STATE_COLOR[s.state]} opacity={s.state === 'closed' ? 0.45 : 0.95} data-state={s.state}>
            <title>{`${STATE_LABEL[s.state]}: ${formatDateTime(s.fromMs)} → ${formatDateTime(s.toMs)}`}</title>
          </rect>
        );
      })}
      {circuit.transitions.map((t, i) => (
        <line key={`${t.atMs}-${i}`} x1={x(t.atMs)} x2={x(t.atMs)} y1={0} y2={height} stroke="#0b0e14" strokeWidth={1} />
      ))}
    </svg>
  );
}
