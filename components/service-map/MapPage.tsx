'use client';
// The home page: the live service map with its toolbar (search, kind filters, focus), legend,
// side panel and footer. All of its state is in the URL: select, focus, hops, q, hide, highlight.
import { replaceEqualDeep, useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import type { FindingsResponse, GraphResponse, NodeKind } from '../../lib/query/types.ts';
import { fetchJson, withQuery } from '../ui/fetch-json.ts';
import { LastDataHint } from '../ui/LastDataHint.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/states.tsx';
import { useTimeWindow, useViewState } from '../ui/use-view-state.ts';
import { buildBadges } from './badges.ts';
import { circuitBadges } from '../circuits/edge-badges.ts';
import { useCircuits } from '../circuits/use-circuits.ts';
import { clampHops, MAX_FOCUS_HOPS, MIN_FOCUS_HOPS } from './focus.ts';
import { Legend } from './Legend.tsx';
import { ServiceMap, type LayoutInfo } from './ServiceMap.tsx';
import { SidePanel } from './SidePanel.tsx';
import { NODE_KIND_STYLE } from './style.ts';
import { parseHiddenKinds, serviceNamespaces, visibleGraph } from './view-model.ts';

const KINDS: NodeKind[] = ['service', 'database', 'queue', 'external', 'client'];

/**
 * Structural sharing keeps unchanged nodes identical between refreshes, so the SVG map re-renders
 * only what changed. On a big graph the deep comparison costs more than it saves (the canvas
 * redraws everything anyway): measured ~0.5 s of main thread per refresh at 1,000 services.
 */
export function shareIfSmall<T extends { nodes?: unknown[]; findings?: unknown[] }>(old: unknown, next: T): T {
  const size = (next.nodes?.length ?? 0) + (next.findings?.length ?? 0);
  return size > 300 ? next : (replaceEqualDeep(old, next) as T);
}

export function useGraph() {
  const tw = useTimeWindow();
  return useQuery({
    queryKey: ['graph', tw.key],
    structuralSharing: (old, next) => shareIfSmall(old, next as GraphResponse),
    queryFn: ({ signal }) => {
      const w = tw.resolve();
      return fetchJson<GraphResponse>(withQuery('/api/v1/graph', { from: w.fromMs, to: w.toMs }), { signal });
    },
  });
}

export function useFindings() {
  const tw = useTimeWindow();
  return useQuery({
    queryKey: ['findings', tw.key],
    structuralSharing: (old, next) => shareIfSmall(old, next as FindingsResponse),
    queryFn: ({ signal }) => {
      const w = tw.resolve();
      return fetchJson<FindingsResponse>(withQuery('/api/v1/findings', { from: w.fromMs, to: w.toMs }), { signal });
    },
  });
}

export function MapPage() {
  const view = useViewState();
  const graph = useGraph();
  const findings = useFindings();
  const [zoomTarget, setZoomTarget] = useState<{ id: string; seq: number } | null>(null);
  const [fitSeq, setFitSeq] = useState(0);
  const [layoutInfo, setLayoutInfo] = useState<LayoutInfo | null>(null);

  const selected = view.get('select');
  const focus = view.get('focus');
  const hops = clampHops(view.getNumber('hops', 1));
  const query = view.get('q') ?? '';
  const hideParam = view.get('hide');
  const namespace = view.get('ns');
  const highlightParam = view.get('highlight');
  const hidden = useMemo(() => parseHiddenKinds(hideParam), [hideParam]);
  const highlight = useMemo(() => (highlightParam ?? '').split(',').filter((s) => s.length > 0), [highlightParam]);

  const visible = useMemo(
    () => (graph.data ? visibleGraph(graph.data, { hiddenKinds: hidden, namespace, focus, hops, query, highlight, selected }) : null),
    [graph.data, hidden, namespace, focus, hops, query, highlight, selected],
  );
  const findingList = findings.data?.findings;
  const badges = useMemo(() => buildBadges(findingList ?? [], visible?.nodes ?? [], visible?.edges ?? []), [findingList, visible]);
  const circuitList = useCircuits().data?.circuits;
  const circuits = useMemo(() => circuitBadges(circuitList ?? [], visible?.nodes ?? [], visible?.edges ?? []), [circuitList, visible]);
  const onSelect = useCallback((id: string | null) => view.set({ select: id }), [view]);
  const onLayout = useCallback((info: LayoutInfo) => setLayoutInfo(info), []);

  if (graph.isPending) return <Loading label="Loading the service map…" />;
  if (graph.error && !graph.data) return <ErrorState error={graph.error} title="Could not load the service map" onRetry={() => void graph.refetch()} />;
  const data = graph.data!;
  if (data.nodes.length === 0) {
    return (
      <div className="page">
        <EmptyState title="No services in this time window">
          <LastDataHint />
        </EmptyState>
      </div>
    );
  }
  const v = visible!;
  const selectedNode = selected ? data.nodes.find((n) => n.id === selected) : undefined;
  const toggleKind = (k: NodeKind) => {
    const next = new Set(hidden);
    if (next.has(k)) next.delete(k);
    else next.add(k);
    view.set({ hide: [...next].join(',') || null });
  };
  const namespaces = serviceNamespaces(data.nodes);
  const counts = new Map<NodeKind, number>();
  for (const n of data.nodes) counts.set(n.kind, (counts.get(n.kind) ?? 0) + 1);

  return (
    <div className="map-page">
      <div className="map-toolbar">
        <form
          className="search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            if (v.matches.length > 0) {
              setZoomTarget({ id: v.matches[0], seq: Date.now() });
              if (v.matches.length === 1) view.set({ select: v.matches[0] });
            }
          }}
        >
          <input type="search" placeholder="Find a service, database, topic…" aria-label="Search nodes" defaultValue={query} onChange={(e) => view.set({ q: e.target.value })} data-testid="map-search" />
          {query ? <span className="search-count">{v.matches.length} match{v.matches.length === 1 ? '' : 'es'}</span> : null}
        </form>
        <div className="chips" role="group" aria-label="Show node kinds">
          {KINDS.filter((k) => counts.has(k)).map((k) => (
            <button key={k} type="button" className={hidden.has(k) ? 'chip off' : 'chip'} aria-pressed={!hidden.has(k)} onClick={() => toggleKind(k)}>
              <span className="dot" style={{ background: NODE_KIND_STYLE[k].stroke }} />
              {NODE_KIND_STYLE[k].label} <span className="chip-count">{counts.get(k)}</span>
            </button>
          ))}
        </div>
        {namespaces.length > 0 || namespace ? (
          <select aria-label="Namespace" value={namespace ?? ''} onChange={(e) => view.set({ ns: e.target.value || null })} data-testid="namespace-filter">
            <option value="">All namespaces</option>
            {[...new Set([...namespaces, ...(namespace ? [namespace] : [])])].map((ns) => (
              <option key={ns} value={ns}>
                {ns}
              </option>
            ))}
          </select>
        ) : null}
        {focus ? (
          <div className="focus-bar" data-testid="focus-bar">
            <span>
              Focus: <strong>{data.nodes.find((n) => n.id === focus)?.name ?? focus}</strong>
            </span>
            <label>
              hops
              <input type="number" min={MIN_FOCUS_HOPS} max={MAX_FOCUS_HOPS} value={hops} onChange={(e) => view.set({ hops: clampHops(Number(e.target.value)) })} />
            </label>
            <button type="button" className="btn btn-sm" onClick={() => view.set({ focus: null, hops: null })}>
              Clear focus
            </button>
          </div>
        ) : null}
        {highlight.length > 0 ? (
          <div className="focus-bar">
            <span>Highlighting {highlight.length} node{highlight.length === 1 ? '' : 's'} from a finding</span>
            <button type="button" className="btn btn-sm" onClick={() => view.set({ highlight: null })}>
              Clear
            </button>
          </div>
        ) : null}
        <div className="toolbar-spacer" />
        <button type="button" className="btn btn-sm" onClick={() => setFitSeq((s) => s + 1)} title="Fit the whole map in view">
          Fit
        </button>
      </div>
      <div className="map-body">
        {v.nodes.length === 0 ? (
          <div className="map-canvas">
            <div className="map-overlay">Every node is filtered out. Show more node kinds or clear the focus.</div>
          </div>
        ) : (
          <ServiceMap graph={v} badges={badges} circuits={circuits} selected={selected} onSelect={onSelect} onLayout={onLayout} zoomTarget={zoomTarget} fitSeq={fitSeq} />
        )}
        <Legend />
        {selectedNode ? (
          <SidePanel
            node={selectedNode}
            nodes={data.nodes}
            edges={data.edges}
            findings={findingList ?? []}
            carry={view.carry()}
            focused={focus === selectedNode.id}
            onClose={() => view.set({ select: null })}
            onSelect={(id) => view.set({ select: id })}
            onFocus={() => view.set(focus === selectedNode.id ? { focus: null, hops: null } : { focus: selectedNode.id, hops })}
          />
        ) : null}
      </div>
      <footer className="map-footer">
        <span>
          {v.nodes.length} nodes · {v.edges.length} edges
          {v.hiddenCount > 0 ? ` (${v.hiddenCount} hidden)` : ''}
        </span>
        {layoutInfo?.ms != null ? (
          <span data-testid="layout-info">
            layout {Math.round(layoutInfo.ms)} ms ({layoutInfo.where === 'worker' ? 'worker' : 'main thread'})
          </span>
        ) : null}
        {findings.data ? <span>{findings.data.findings.length} findings</span> : findings.error ? <span className="warn">findings unavailable</span> : null}
        {data.quality.unpairedClientSpans > 0 ? <span title="CLIENT spans whose server half never arrived: drawn as external peers">{data.quality.unpairedClientSpans} unpaired client spans</span> : null}
        {data.freshness.spansBehind > 0 ? <span>{data.freshness.spansBehind} spans not yet analysed</span> : null}
        <span className={graph.isFetching ? 'live fetching' : 'live'}>{graph.error ? 'refresh failing' : 'live'}</span>
      </footer>
    </div>
  );
}
