import { sparklineGeometry } from './sparkline-path.ts';

export function Sparkline({ values, width = 96, height = 24, color = 'var(--accent)', label }: { values: readonly number[]; width?: number; height?: number; color?: string; label?: string }) {
  const geo = sparklineGeometry(values, width, height);
  if (!geo) return <span className="sparkline-empty">–</span>;
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label ?? 'trend'}>
      <path d={geo.area} fill={color} opacity={0.15} />
      <path d={geo.line} fill="none" stroke={color} strokeWidth={1.25} />
    </svg>
  );
}
