// The trace's facts at a glance and where its time went (critical path by service).
import type { TraceResponse } from '../../lib/query/types.ts';
import { formatDateTime } from '../ui/format.ts';
import { formatDuration } from './geometry.ts';
import styles from './waterfall.module.css';

export function TraceHeader({ data, colors }: { data: TraceResponse; colors: Map<string, string> }) {
  const cpTotal = data.criticalPathByService.reduce((a, s) => a + s.durationMs, 0);
  const startSec = String(new Date(data.startMs).getSeconds()).padStart(2, '0');
  return (
    <header className={styles.head}>
      <div className="crumbs">
        <a href="/traces">Traces</a> / trace
      </div>
      <div className={styles.titleRow}>
        <h1 className={styles.title} data-testid="trace-title">
          <span className={styles.svc} style={{ color: colors.get(data.rootService) }}>
            {data.rootService}
          </span>
          : {data.rootName}
        </h1>
        <span className={styles.traceId}>{data.traceId}</span>
      </div>
      <div className={styles.facts}>
        <span className={styles.fact}>
          Started <b>{formatDateTime(data.startMs)}:{startSec}</b>
        </span>
        <span className={styles.fact}>
          Duration <b>{formatDuration(data.durationMs)}</b>
        </span>
        <span className={styles.fact} data-testid="span-count">
          Spans <b>{data.spanCount.toLocaleString()}</b>
        </span>
        <span className={styles.fact}>
          Services <b>{data.services.length}</b>
        </span>
        <span className={styles.fact}>
          Errors <b className={data.errorCount ? styles.errs : undefined}>{data.errorCount}</b>
        </span>
        <span className={styles.fact} title={data.chainServices.join(' → ')}>
          Sync chain depth <b>{data.chainDepth}</b>
        </span>
        {data.orphans > 0 ? (
          <span className={styles.fact} title="Spans whose parent never arrived; shown as extra roots">
            Orphans <b>{data.orphans}</b>
          </span>
        ) : null}
      </div>
      {cpTotal > 0 ? (
        <div className={styles.cpRow} data-testid="critical-path-summary">
          <span>Critical path</span>
          <div className={styles.cpBar}>
            {data.criticalPathByService.map((s) => (
              <span key={s.service} title={`${s.service}: ${formatDuration(s.durationMs)}`} style={{ width: `${(s.durationMs / cpTotal) * 100}%`, background: colors.get(s.service) ?? '#5b9cff' }} />
            ))}
          </div>
          <span className={styles.cpLegend}>
            {data.criticalPathByService.slice(0, 5).map((s) => (
              <span key={s.service}>
                <span className="dot" style={{ background: colors.get(s.service) ?? '#5b9cff' }} />
                {s.service.length > 40 ? s.service.slice(0, 40) + '…' : s.service} {formatDuration(s.durationMs)}
              </span>
            ))}
          </span>
        </div>
      ) : null}
    </header>
  );
}
