// The map's legend: every visual encoding the map uses, read from the same tables that draw it.
import type { EdgeKind, NodeKind } from '../../lib/query/types.ts';
import { SEVERITY_COLOR } from './badges.ts';
import { EDGE_KIND_STYLE, ERROR_BANDS, NODE_KIND_STYLE, shapePath } from './style.ts';

const NODE_KINDS: NodeKind[] = ['service', 'database', 'queue', 'external', 'client'];
const EDGE_KINDS: EdgeKind[] = ['sync', 'async', 'db'];

export function Legend() {
  return (
    <div className="map-legend" aria-label="Legend">
      <div className="legend-group">
        {NODE_KINDS.map((k) => (
          <span key={k} className="legend-item">
            <svg width="18" height="18" viewBox="-10 -10 20 20" aria-hidden="true">
              <path d={shapePath(NODE_KIND_STYLE[k].shape, 7.5)} fill={NODE_KIND_STYLE[k].fill} stroke={NODE_KIND_STYLE[k].stroke} strokeWidth={1.5} />
            </svg>
            {NODE_KIND_STYLE[k].label}
          </span>
        ))}
      </div>
      <div className="legend-group">
        {EDGE_KINDS.map((k) => (
          <span key={k} className="legend-item">
            <svg width="28" height="10" aria-hidden="true">
              <line x1="1" y1="5" x2="27" y2="5" stroke="#9aa4b8" strokeWidth="2" strokeDasharray={EDGE_KIND_STYLE[k].dash} />
            </svg>
            {EDGE_KIND_STYLE[k].label}
          </span>
        ))}
        <span className="legend-item legend-note">width = request rate</span>
      </div>
      <div className="legend-group">
        {[...ERROR_BANDS].reverse().map((b) => (
          <span key={b.color} className="legend-item">
            <span className="swatch" style={{ background: b.color }} />
            {b.label}
          </span>
        ))}
      </div>
      <div className="legend-group">
        <span className="legend-item legend-note">findings:</span>
        {(['high', 'medium', 'low', 'info'] as const).map((s) => (
          <span key={s} className="legend-item">
            <span className="swatch round" style={{ background: SEVERITY_COLOR[s] }} />
            {s}
          </span>
        ))}
      </div>
    </div>
  );
}
