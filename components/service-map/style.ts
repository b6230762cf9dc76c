// How the map encodes data, in one place so the legend, the SVG and the tests agree:
// node kind → shape and colour, edge kind → dash, rate → width, error rate → colour.
import { scaleLog, scaleSqrt } from 'd3';
import type { EdgeKind, NodeKind } from '../../lib/query/types.ts';

export type NodeShape = 'circle' | 'cylinder' | 'hexagon' | 'diamond' | 'square';

export interface NodeKindStyle {
  shape: NodeShape;
  fill: string;
  stroke: string;
  label: string;
}

export const NODE_KIND_STYLE: Readonly<Record<NodeKind, NodeKindStyle>> = {
  service: { shape: 'circle', fill: '#1d2a44', stroke: '#5b9cff', label: 'Service' },
  database: { shape: 'cylinder', fill: '#2a2140', stroke: '#b38cff', label: 'Database' },
  queue: { shape: 'hexagon', fill: '#13322f', stroke: '#3ccfb4', label: 'Broker / topic' },
  external: { shape: 'diamond', fill: '#2c2a22', stroke: '#c9b27a', label: 'External peer' },
  client: { shape: 'square', fill: '#252a33', stroke: '#9aa4b8', label: 'Client' },
};

export interface EdgeKindStyle {
  dash: string | undefined;
  label: string;
}

export const EDGE_KIND_STYLE: Readonly<Record<EdgeKind, EdgeKindStyle>> = {
  sync: { dash: undefined, label: 'Sync call (HTTP/RPC)' },
  async: { dash: '6 4', label: 'Async (messaging)' },
  db: { dash: '1.5 3', label: 'Database call' },
};

/** Error-rate bands, as a status palette: the legend lists exactly these. */
export const ERROR_BANDS: readonly { min: number; color: string; label: string }[] = [
  { min: 0.2, color: '#f2495c', label: '≥ 20% errors' },
  { min: 0.05, color: '#ff7a45', label: '5–20%' },
  { min: 0.01, color: '#fade2a', label: '1–5%' },
  { min: 0.000001, color: '#a8c66c', label: '< 1%' },
  { min: 0, color: '#56627a', label: 'no errors' },
];

export function errorColor(errorRate: number): string {
  const r = Number.isFinite(errorRate) ? errorRate : 0;
  for (const band of ERROR_BANDS) if (r >= band.min && (band.min > 0 || r === 0)) return band.color;
  return ERROR_BANDS[ERROR_BANDS.length - 1].color;
}

/** Edge stroke width from its rate relative to the busiest edge: 1–8 px, area-true (sqrt). */
export function edgeWidthScale(maxRate: number): (rate: number) => number {
  const s = scaleSqrt().domain([0, Math.max(maxRate, 1e-9)]).range([1, 8]).clamp(true);
  return (rate) => s(Number.isFinite(rate) && rate > 0 ? rate : 0);
}

/** Node radius from its rate: 14–30 px on a log scale (rates span orders of magnitude). */
export function nodeRadiusScale(maxRate: number): (rate: number) => number {
  const top = Math.max(maxRate, 1);
  const s = scaleLog().domain([0.01, top + 0.01]).range([14, 30]).clamp(true);
  return (rate) => s(Math.max(rate, 0) + 0.01);
}

/** SVG path for a node shape centred on 0,0 of radius r (the circle is drawn as a path too, so one element type suffices). */
export function shapePath(shape: NodeShape, r: number): string {
  const f = (n: number) => Number(n.toFixed(2));
  switch (shape) {
    case 'circle':
      return `M${f(-r)},0 a${f(r)},${f(r)} 0 1,0 ${f(2 * r)},0 a${f(r)},${f(r)} 0 1,0 ${f(-2 * r)},0 Z`;
    case 'square': {
      const h = r * 0.85;
      return `M${f(-h)},${f(-h)} H${f(h)} V${f(h)} H${f(-h)} Z`;
    }
    case 'diamond':
      return `M0,${f(-r)} L${f(r)},0 L0,${f(r)} L${f(-r)},0 Z`;
    case 'hexagon': {
      const pts = Array.from({ length: 6 }, (_, i) => {
        const a = (Math.PI / 3) * i;
        return `${f(r * Math.cos(a))},${f(r * Math.sin(a))}`;
      });
      return `M${pts.join(' L')} Z`;
    }
    case 'cylinder': {
      const w = r * 0.85;
      const h = r * 0.9;
      const e = r * 0.28;
      return `M${f(-w)},${f(-h + e)} A${f(w)},${f(e)} 0 0,1 ${f(w)},${f(-h + e)} V${f(h - e)} A${f(w)},${f(e)} 0 0,1 ${f(-w)},${f(h - e)} Z M${f(-w)},${f(-h + e)} A${f(w)},${f(e)} 0 0,0 ${f(w)},${f(-h + e)}`;
    }
  }
}

/** Level of detail: labels only where they can be read and where there are few enough to draw. */
export function showLabels(zoomK: number, visibleNodes: number): boolean {
  if (visibleNodes <= 60) return zoomK >= 0.35;
  if (visibleNodes <= 250) return zoomK >= 0.7;
  return zoomK >= 1.2;
}

/** Short label for a node: the name, ellipsized (the full one is in the tooltip). */
export function shortLabel(name: string, max = 28): string {
  return name.length <= max ? name : `${name.slice(0, max - 1)}…`;
}
