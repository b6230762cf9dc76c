'use client';
// /findings: the distributed-monolith score and its clusters, then every finding grouped by
// severity and rule, each with its evidence (counts, example traces) and remediation, and the
// rules that could not be evaluated with their reasons.
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import type { Finding, FindingsResponse } from '../../lib/query/types.ts';
import { useFindings } from '../service-map/MapPage.tsx';
import { formatCount, formatDateTime } from '../ui/format.ts';
import { LastDataHint } from '../ui/LastDataHint.tsx';
import { appPath } from '../ui/safe-url.ts';
import { ErrorState, EmptyState, Loading, Muted } from '../ui/states.tsx';
import { useViewState } from '../ui/use-view-state.ts';
import { evidenceCounts, formatDetail, groupFindings, humanizeKey, mapHref, traceEvidenceHref } from './group.ts';
import { SeverityBadge } from './SeverityBadge.tsx';

export function FindingsPage() {
  const findings = useFindings();
  const view = useViewState();
  const carry = view.carry();
  const open = view.get('finding');
  const sevFilter = view.get('severity');

  if (findings.isPending) return <Loading label="Analysing traces…" />;
  if (findings.error && !findings.data) return <ErrorState error={findings.error} title="Could not load findings" onRetry={() => void findings.refetch()} />;
  const data = findings.data!;
  if (data.traces === 0 && data.findings.length === 0) {
    return (
      <div className="page">
        <EmptyState title="No traces to analyse in this time window">
          <LastDataHint />
        </EmptyState>
      </div>
    );
  }
  const shown = sevFilter ? data.findings.filter((f) => f.severity === sevFilter) : data.findings;
  const groups = groupFindings(shown);
  const total = groupFindings(data.findings);
  return (
    <div className="page" data-testid="findings-page">
      <div className="page-head">
        <h1>Findings</h1>
        <span className="sub">
          {data.findings.length} findings from {formatCount(data.traces)} traces ({formatCount(data.spansAnalyzed)} spans) · analysed {formatDateTime(data.generatedAtMs)}
        </span>
      </div>
      {data.sampled ? (
        <div className="last-data">
          <p>
            The window holds more than {formatCount(data.spanLimit)} spans: only the newest were analysed. Narrow the time window for a complete analysis.
          </p>
        </div>
      ) : null}
      <ScoreCard data={data} carry={carry} />
      <div className="chips" style={{ marginBottom: 16 }}>
        <button type="button" className={sevFilter ? 'chip off' : 'chip'} onClick={() => view.set({ severity: null })}>
          All <span className="chip-count">{data.findings.length}</span>
        </button>
        {total.map((g) => (
          <button key={g.severity} type="button" className={sevFilter && sevFilter !== g.severity ? 'chip off' : 'chip'} aria-pressed={sevFilter === g.severity} onClick={() => view.set({ severity: sevFilter === g.severity ? null : g.severity })}>
            <SeverityBadge severity={g.severity} /> <span className="chip-count">{g.count}</span>
          </button>
        ))}
      </div>
      {groups.length === 0 ? (
        <div className="card">
          <Muted>No findings{sevFilter ? ` of severity ${sevFilter}` : ''} in this window: nothing here looks like a distributed monolith.</Muted>
        </div>
      ) : null}
      {groups.map((g) => (
        <section key={g.severity} className="sev-group">
          <div className="sev-group-head">
            <SeverityBadge severity={g.severity} />
            <h2>
              {g.count} {g.severity} finding{g.count === 1 ? '' : 's'}
            </h2>
          </div>
          {g.rules.map((r) => (
            <div key={r.rule} className="rule-group">
              <div className="rule-head">
                <strong>{humanizeKey(r.rule)}</strong>
                <code>{r.rule}</code>
                <span className="muted">× {r.findings.length}</span>
              </div>
              <RuleFindings findings={r.findings} open={open} carry={carry} onToggle={(fp) => view.set({ finding: open === fp ? null : fp })} />
            </div>
          ))}
        </section>
      ))}
      {data.notEvaluated.length > 0 ? (
        <section className="sev-group">
          <h2 className="section-title">Rules not evaluated</h2>
          <div className="card">
            <ul className="plain-list not-evaluated" data-testid="not-evaluated">
              {data.notEvaluated.map((n) => (
                <li key={n.rule}>
                  <code>{n.rule}</code>
                  <span className="muted">{n.reason}</span>
                </li>
              ))}
            </ul>
          </div>
        </section>
      ) : null}
    </div>
  );
}

/** Per rule, the first few findings and a "show more": a big estate can yield thousands. */
const FINDINGS_PER_RULE = 15;

function RuleFindings({ findings, open, carry, onToggle }: { findings: Finding[]; open: string | null; carry: string; onToggle(fingerprint: string): void }) {
  const [limit, setLimit] = useState(FINDINGS_PER_RULE);
  // A linked finding is always shown, wherever it sorts.
  const shown = findings.slice(0, limit);
  const linked = open ? findings.find((f) => f.fingerprint === open && !shown.includes(f)) : undefined;
  return (
    <>
      {(linked ? [linked, ...shown] : shown).map((f) => (
        <FindingCard key={f.fingerprint} f={f} open={open === f.fingerprint} carry={carry} onToggle={() => onToggle(f.fingerprint)} />
      ))}
      {findings.length > limit ? (
        <button type="button" className="btn btn-sm" onClick={() => setLimit((l) => l + 50)}>
          Show {Math.min(50, findings.length - limit)} more of {findings.length - limit}
        </button>
      ) : null}
    </>
  );
}

function ScoreCard({ data, carry }: { data: FindingsResponse; carry: string }) {
  const s = data.score;
  return (
    <div className="score-card">
      <div className="card" style={{ minWidth: 220 }}>
        <div className="stat-label">Distributed-monolith score</div>
        <div className="score-value" style={{ color: s.total === 0 ? 'var(--ok)' : s.total >= 10 ? 'var(--err)' : 'var(--warn)' }} data-testid="monolith-score">
          {s.total}
        </div>
        <div className="muted" style={{ fontSize: 12, marginTop: 6 }}>
          {s.total === 0 ? 'No finding binds services together.' : `${s.clusters.length} cluster${s.clusters.length === 1 ? '' : 's'} of services coupled by findings`}
        </div>
      </div>
      {s.clusters.length > 0 ? (
        <div className="card" style={{ flex: 1, minWidth: 320 }}>
          <div className="card-head">
            <span className="card-title">Clusters: services that change and fail together</span>
          </div>
          {s.clusters.slice(0, 6).map((c) => (
            <div key={c.name} className="cluster">
              <div style={{ display: 'flex', gap: 10, alignItems: 'baseline' }}>
                <strong style={{ fontVariantNumeric: 'tabular-nums' }}>{c.score}</strong>
                <span className="ellipsis" style={{ flex: 1 }} title={c.name}>
                  {c.services.join(' + ')}
                </span>
                <Link href={`/?${new URLSearchParams([...new URLSearchParams(carry.slice(1)), ['highlight', c.services.join(',')]]).toString()}`}>Show on map</Link>
              </div>
              <div className="muted" style={{ fontSize: 12 }}>
                {[...new Set(c.findings.map((x) => x.rule))].join(', ')}
              </div>
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}

function FindingCard({ f, open, carry, onToggle }: { f: Finding; open: boolean; carry: string; onToggle(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [open]);
  const details = Object.entries(f.evidence.details ?? {});
  return (
    <div ref={ref} className={open ? 'finding open targeted' : 'finding'} data-testid="finding" data-rule={f.rule}>
      <button type="button" className="finding-summary" aria-expanded={open} onClick={onToggle}>
        <span className="caret" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        <span className="finding-title">{f.title}</span>
        <span className="finding-services">{f.services.slice(0, 4).join(', ') + (f.services.length > 4 ? ` +${f.services.length - 4}` : '')}</span>
      </button>
      {open ? (
        <div className="finding-body">
          <div>
            <h4>Services</h4>
            <div className="tags">
              {f.services.map((s) => (
                <Link key={s} className="tag" href={`${appPath(['services', s])}${carry}`}>
                  {s}
                </Link>
              ))}
            </div>
            {f.resources.length > 0 ? (
              <>
                <h4>Resources</h4>
                <div className="tags">
                  {f.resources.slice(0, 30).map((r) => (
                    <span key={`${r.kind}:${r.name}`} className="tag">
                      <span className="k">{r.kind}</span>
                      {r.name}
                    </span>
                  ))}
                </div>
              </>
            ) : null}
            <h4>Evidence</h4>
            <dl className="kv">
              {evidenceCounts(f).map((c) => (
                <FragmentKV key={c.label} k={c.label} v={formatCount(c.value)} />
              ))}
              {details.slice(0, 10).map(([k, v]) => (
                <FragmentKV key={k} k={humanizeKey(k)} v={formatDetail(v)} />
              ))}
            </dl>
            <h4>Example traces</h4>
            {f.evidence.traceIds.length === 0 ? (
              <Muted>No example traces recorded.</Muted>
            ) : (
              <ul className="plain-list">
                {f.evidence.traceIds.map((id) => (
                  <li key={id}>
                    <Link className="trace-link" href={traceEvidenceHref(f, id)} data-testid="evidence-trace">
                      {id}
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div>
            <h4>Remediation</h4>
            <p className="remediation">{f.remediation}</p>
            <div style={{ display: 'flex', gap: 8, marginTop: 14 }}>
              <Link className="btn" href={mapHref(f, carry)} data-testid="show-on-map">
                Show on map
              </Link>
            </div>
            <h4>Fingerprint</h4>
            <code className="muted">{f.fingerprint}</code>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function FragmentKV({ k, v }: { k: string; v: string }) {
  return (
    <>
      <dt>{k}</dt>
      <dd>{v}</dd>
    </>
  );
}
