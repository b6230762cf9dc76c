'use client';
// The selected span: summary, peer link to the map, attributes, events, links, resource.
// Every string is React text; the only hrefs are safeHref results and internal paths.
import type { TraceSpanJson } from '../../lib/query/types.ts';
import { AttrTable } from './AttrValue.tsx';
import { formatDuration } from './geometry.ts';
import { mapFocusHref } from './peer.ts';
import styles from './waterfall.module.css';

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

export function SpanDetails({
  span,
  color,
  peer,
  traceId,
  onClose,
  onSelectSpan,
}: {
  span: TraceSpanJson;
  color: string;
  peer: string | null;
  traceId: string;
  onClose: () => void;
  onSelectSpan: (spanId: string) => void;
}) {
  const isErr = span.status.code === 'error';
  return (
    <aside className={styles.details} data-testid="span-details" aria-label="Span details">
      <div className={styles.detailsHead}>
        <div className={styles.detailsTitle}>
          <div className={styles.op} data-testid="span-details-name">
            {span.name}
          </div>
          <div className={styles.svc}>
            <span className="dot" style={{ background: color }} />
            {span.service}
            {span.onCriticalPath ? <span className={styles.critTag}>critical path</span> : null}
          </div>
        </div>
        <button type="button" className="icon-btn" aria-label="Close span details" onClick={onClose}>
          ×
        </button>
      </div>
      <div className={styles.detailsBody}>
        <dl className="kv" style={{ marginTop: 12 }}>
          <dt>Duration</dt>
          <dd>{formatDuration(span.durationMs)}</dd>
          <dt>Self time</dt>
          <dd>{formatDuration(span.selfTimeMs)}</dd>
          <dt>Starts at</dt>
          <dd>+{formatDuration(span.offsetMs)}</dd>
          <dt>Kind</dt>
          <dd>
            {span.kind}
            {span.spanKind !== span.kind ? <span className="muted"> (sent as {span.spanKind})</span> : null}
          </dd>
          <dt>Status</dt>
          <dd className={isErr ? 'err-text' : undefined}>
            {span.status.code}
            {span.status.message ? `: ${span.status.message.length > 500 ? span.status.message.slice(0, 500) + '…' : span.status.message}` : ''}
          </dd>
          <dt>Span ID</dt>
          <dd className={styles.traceId}>{span.spanId}</dd>
          {span.parentSpanId ? (
            <>
              <dt>Parent</dt>
              <dd>
                <button type="button" className="link-btn" onClick={() => onSelectSpan(span.parentSpanId!)}>
                  {span.parentSpanId}
                </button>
              </dd>
            </>
          ) : null}
          <dt>Scope</dt>
          <dd>
            {span.scope.name}
            {span.scope.version ? ` ${span.scope.version}` : ''}
          </dd>
        </dl>
        {peer ? (
          <a className={styles.peer} href={mapFocusHref(peer)} data-testid="peer-link">
            Calls <b>{peer}</b> · view on the service map →
          </a>
        ) : null}
        <section className={styles.section}>
          <h3>Attributes ({Object.keys(span.attributes).length})</h3>
          <AttrTable attributes={span.attributes} testId="span-attributes" />
        </section>
        <section className={styles.section}>
          <h3>Events ({span.events.length})</h3>
          {span.events.length === 0 ? <div className={styles.empty}>none</div> : null}
          {span.events.slice(0, 500).map((e, i) => (
            <div key={i} className={e.name === 'exception' ? `${styles.event} ${styles.evErr}` : styles.event}>
              <div className={styles.when}>+{formatDuration(e.offsetMs)}</div>
              <div className={styles.evName}>{e.name}</div>
              {Object.keys(e.attributes).length > 0 ? <AttrTable attributes={e.attributes} /> : null}
            </div>
          ))}
          {span.events.length > 500 ? <div className={styles.empty}>{span.events.length - 500} more events not shown</div> : null}
        </section>
        <section className={styles.section}>
          <h3>Links ({span.links.length})</h3>
          {span.links.length === 0 ? <div className={styles.empty}>none</div> : null}
          {span.links.slice(0, 200).map((l, i) => {
            const ok = HEX32.test(l.traceId) && HEX16.test(l.spanId);
            const same = l.traceId === traceId;
            return (
              <div key={i} className={styles.event}>
                {ok ? (
                  same ? (
                    <button type="button" className="link-btn" onClick={() => onSelectSpan(l.spanId)}>
                      span {l.spanId} in this trace
                    </button>
                  ) : (
                    <a href={`/traces/${l.traceId}?highlight=${l.spanId}`}>
                      trace {l.traceId.slice(0, 12)}… span {l.spanId}
                    </a>
                  )
                ) : (
                  <span className="muted">
                    {l.traceId} / {l.spanId}
                  </span>
                )}
                {Object.keys(l.attributes).length > 0 ? <AttrTable attributes={l.attributes} /> : null}
              </div>
            );
          })}
        </section>
        <section className={styles.section}>
          <h3>Resource</h3>
          <AttrTable attributes={span.resource.attributes} testId="span-resource" />
        </section>
      </div>
    </aside>
  );
}
