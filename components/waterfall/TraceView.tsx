'use client';
// /traces/{traceId}: header with the trace's facts and critical path by service, a minimap, and
// the virtualized waterfall with span details. `?span=` selects, `?highlight=a,b` marks evidence
// spans (findings link here), `?q=` searches within the trace.
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TraceResponse } from '../../lib/query/types.ts';
import { fetchJson } from '../ui/fetch-json.ts';
import { ErrorState, Loading } from '../ui/states.tsx';
import { useViewState } from '../ui/use-view-state.ts';
import { serviceColors } from './colors.ts';
import { formatDuration } from './geometry.ts';
import { Minimap } from './Minimap.tsx';
import { peerServiceOf } from './peer.ts';
import { buildRowModel, collapseBelowDepth, revealRows, toggleRow, visibleRows } from './rows.ts';
import { parseHighlight, searchSpans } from './search.ts';
import { SpanDetails } from './SpanDetails.tsx';
import { TraceHeader } from './TraceHeader.tsx';
import { Waterfall } from './Waterfall.tsx';
import styles from './waterfall.module.css';

const TRACE_ID = /^[0-9a-fA-F]{32}$/;

export function TraceView({ traceId }: { traceId: string }) {
  const valid = TRACE_ID.test(traceId);
  const id = traceId.toLowerCase();
  const trace = useQuery({
    queryKey: ['trace', id],
    queryFn: ({ signal }) => fetchJson<TraceResponse>(`/api/v1/traces/${id}`, { signal }),
    enabled: valid,
    // A trace is re-read on demand, not every few seconds: re-parsing 100,000 spans is not free.
    refetchInterval: false,
    staleTime: Infinity,
    // Deep-comparing a 100,000-span response with the previous one costs more than it saves.
    structuralSharing: false,
  });
  if (!valid) return <ErrorState title="Not a trace id" error={`A trace id is 32 hexadecimal characters.`} />;
  if (trace.isPending) return <Loading label="Loading trace…" />;
  if (trace.isError) return <ErrorState title="Could not load this trace" error={trace.error} onRetry={() => void trace.refetch()} />;
  return <TraceBody data={trace.data} onReload={() => void trace.refetch()} reloading={trace.isFetching} />;
}

function TraceBody({ data, onReload, reloading }: { data: TraceResponse; onReload: () => void; reloading: boolean }) {
  const view = useViewState();
  const spans = data.spans;
  const model = useMemo(() => buildRowModel(spans), [spans]);
  const colors = useMemo(() => serviceColors(data.services.length ? data.services : spans.map((s) => s.service)), [data.services, spans]);
  const highlightIds = view.get('highlight');
  const highlights = useMemo(() => {
    const out = new Set<number>();
    for (const sid of parseHighlight(highlightIds)) {
      const i = model.indexById.get(sid);
      if (i !== undefined) out.add(i);
    }
    return out;
  }, [highlightIds, model]);

  const [collapsed, setCollapsed] = useState<Set<number>>(() => revealRows(spans, new Set(), highlights));
  const visible = useMemo(() => visibleRows(model, collapsed), [model, collapsed]);
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const viewWindow: [number, number] = zoom ?? [0, Math.max(data.durationMs, 0.001)];
  const [criticalMode, setCriticalMode] = useState(view.get('critical') === '1');
  const [scrollRequest, setScrollRequest] = useState<{ index: number; seq: number } | null>(null);
  const seq = useRef(0);
  const scrollTo = useCallback((index: number) => setScrollRequest({ index, seq: ++seq.current }), []);

  const selectedId = view.get('span');
  const selected = selectedId ? (model.indexById.get(selectedId) ?? -1) : -1;
  const select = useCallback(
    (index: number) => {
      view.set({ span: index >= 0 ? spans[index].spanId : null });
      if (index >= 0) {
        setCollapsed((c) => {
          const r = revealRows(spans, c, [index]);
          return r.size === c.size ? c : r;
        });
        scrollTo(index);
      }
    },
    [view, spans, scrollTo],
  );

  // Evidence links open on the first highlighted span.
  useEffect(() => {
    if (highlights.size > 0 && selected < 0) select(Math.min(...highlights));
    // Once per trace: later highlight edits come from the user.
    // (select and selected change as the user clicks; they must not re-trigger this.)
  }, [highlights]);

  const [query, setQuery] = useState(view.get('q') ?? '');
  const [debounced, setDebounced] = useState(query);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(query), 150);
    return () => clearTimeout(t);
  }, [query]);
  const matchList = useMemo(() => searchSpans(spans, debounced), [spans, debounced]);
  const matches = useMemo(() => new Set(matchList), [matchList]);
  const [matchCursor, setMatchCursor] = useState(-1);
  useEffect(() => setMatchCursor(-1), [debounced]);
  const gotoMatch = (dir: 1 | -1) => {
    if (matchList.length === 0) return;
    const next = (matchCursor + dir + matchList.length) % matchList.length;
    setMatchCursor(next);
    select(matchList[next]);
  };
  const commitQuery = () => view.set({ q: query || null });

  const criticalCount = useMemo(() => spans.reduce((n, s) => n + (s.onCriticalPath ? 1 : 0), 0), [spans]);
  const errorRows = useMemo(() => spans.flatMap((s, i) => (s.status.code === 'error' ? [i] : [])), [spans]);
  const toggleCritical = () => {
    const on = !criticalMode;
    setCriticalMode(on);
    view.set({ critical: on ? '1' : null });
    if (on) {
      const crit: number[] = [];
      spans.forEach((s, i) => s.onCriticalPath && crit.push(i));
      setCollapsed((c) => revealRows(spans, c, crit));
    }
  };
  const nextError = () => {
    if (errorRows.length === 0) return;
    const after = errorRows.find((i) => i > selected);
    select(after ?? errorRows[0]);
  };

  const onToggle = useCallback((i: number) => setCollapsed((c) => toggleRow(model, c, i)), [model]);
  const peer = selected >= 0 ? peerServiceOf(spans, selected, model.subtreeEnd) : null;
  return (
    <div className={styles.page} data-testid="trace-view">
      <TraceHeader data={data} colors={colors} />
      <div className={styles.body} style={{ height: 'calc(100vh - 210px)', minHeight: 420 }}>
        <div className={styles.card}>
          <div className={styles.toolbar}>
            <input
              type="search"
              placeholder="Find in trace: name, service, attribute, key=value"
              value={query}
              data-testid="trace-find"
              aria-label="Find in trace"
              onChange={(e) => setQuery(e.target.value)}
              onBlur={commitQuery}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  commitQuery();
                  gotoMatch(e.shiftKey ? -1 : 1);
                }
              }}
            />
            <span className={styles.matchCount} data-testid="match-count">
              {debounced ? `${matchCursor >= 0 ? matchCursor + 1 + ' of ' : ''}${matchList.length} match${matchList.length === 1 ? '' : 'es'}` : ''}
            </span>
            <button type="button" className="btn btn-sm" disabled={matchList.length === 0} onClick={() => gotoMatch(-1)} aria-label="Previous match">
              ↑
            </button>
            <button type="button" className="btn btn-sm" disabled={matchList.length === 0} onClick={() => gotoMatch(1)} aria-label="Next match">
              ↓
            </button>
            <span className={styles.spacer} />
            <button type="button" className={criticalMode ? 'btn btn-sm active' : 'btn btn-sm'} onClick={toggleCritical} data-testid="critical-toggle" aria-pressed={criticalMode} title="Highlight the spans that made the request as long as it was">
              Critical path ({criticalCount})
            </button>
            <button type="button" className="btn btn-sm" onClick={nextError} disabled={errorRows.length === 0} data-testid="next-error">
              Next error ({errorRows.length})
            </button>
            <button type="button" className="btn btn-sm" onClick={() => setCollapsed(collapseBelowDepth(spans, model, 1))} data-testid="collapse-all">
              Collapse
            </button>
            <button type="button" className="btn btn-sm" onClick={() => setCollapsed(new Set())} data-testid="expand-all">
              Expand all
            </button>
            {zoom ? (
              <button type="button" className="btn btn-sm" onClick={() => setZoom(null)} data-testid="reset-zoom">
                Reset zoom ({formatDuration(zoom[1] - zoom[0])})
              </button>
            ) : null}
            <button type="button" className="btn btn-sm" onClick={onReload} disabled={reloading} title="Late spans of this trace may still arrive">
              {reloading ? 'Reloading…' : 'Reload'}
            </button>
          </div>
          <Minimap spans={spans} durationMs={data.durationMs} colors={colors} view={viewWindow} onZoom={setZoom} />
          <Waterfall
            spans={spans}
            model={model}
            visible={visible}
            colors={colors}
            collapsed={collapsed}
            selected={selected}
            matches={matches}
            highlights={highlights}
            criticalMode={criticalMode}
            view={viewWindow}
            scrollRequest={scrollRequest}
            onZoom={setZoom}
            onToggle={onToggle}
            onSelect={select}
          />
        </div>
        {selected >= 0 ? (
          <SpanDetails
            span={spans[selected]}
            color={colors.get(spans[selected].service) ?? '#5b9cff'}
            peer={peer}
            traceId={data.traceId}
            onClose={() => view.set({ span: null })}
            onSelectSpan={(sid) => {
              const i = model.indexById.get(sid);
              if (i !== undefined) select(i);
            }}
          />
        ) : null}
      </div>
    </div>
  );
}
