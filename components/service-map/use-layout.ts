'use client';
// Lays the graph out in a Web Worker, once per topology: the live refresh every few seconds
// changes numbers, not shape, and must not make nodes jump.
import { useEffect, useMemo, useRef, useState } from 'react';
import { computeLayout, topologyKey, type LayoutEdgeInput, type LayoutNodeInput, type LayoutOutput } from './layout.ts';

export interface LayoutState {
  layout: LayoutOutput | null;
  /** Milliseconds the last layout took in the worker (shown in the map's footer, read by bench:ui). */
  ms: number | null;
  pending: boolean;
  error: string | null;
  /** Where the last layout ran: the worker, or the main thread when workers are unavailable. */
  where: 'worker' | 'main' | null;
}

export function useLayout(nodes: readonly LayoutNodeInput[], edges: readonly LayoutEdgeInput[]): LayoutState {
  // Sorting thousands of ids is not free: only when the arrays change, never on a hover re-render.
  const key = useMemo(
    () =>
      topologyKey(
        nodes.map((n) => n.id),
        edges,
      ),
    [nodes, edges],
  );
  const [state, setState] = useState<LayoutState>({ layout: null, ms: null, pending: true, error: null, where: null });
  const workerRef = useRef<Worker | null>(null);
  const seq = useRef(0);
  const last = useRef<LayoutOutput | null>(null);
  const input = useRef({ nodes, edges });
  input.current = { nodes, edges };

  useEffect(() => {
    return () => {
      workerRef.current?.terminate();
      workerRef.current = null;
    };
  }, []);

  useEffect(() => {
    const id = ++seq.current;
    const payload = { nodes: input.current.nodes.map((n) => ({ id: n.id, r: n.r, labelChars: n.labelChars })), edges: input.current.edges.map((e) => ({ source: e.source, target: e.target })), previous: last.current?.positions };
    setState((s) => ({ ...s, pending: true }));
    const done = (out: LayoutOutput, ms: number, where: 'worker' | 'main') => {
      if (id !== seq.current) return;
      last.current = out;
      setState({ layout: out, ms, pending: false, error: null, where });
    };
    let worker = workerRef.current;
    if (!worker && typeof Worker !== 'undefined') {
      try {
        worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
        workerRef.current = worker;
      } catch {
        worker = null;
      }
    }
    if (!worker) {
      // No worker support: lay out on the main thread, after paint, so the page shell shows first.
      const t = setTimeout(() => {
        const started = performance.now();
        done(computeLayout(payload), performance.now() - started, 'main');
      }, 0);
      return () => clearTimeout(t);
    }
    const onMessage = (ev: MessageEvent<{ id: number; ok: boolean; out?: LayoutOutput; ms?: number; error?: string }>) => {
      if (ev.data.id !== id) return;
      if (ev.data.ok && ev.data.out) done(ev.data.out, ev.data.ms ?? 0, 'worker');
      else setState((s) => ({ ...s, pending: false, error: ev.data.error ?? 'layout failed' }));
    };
    worker.addEventListener('message', onMessage);
    worker.postMessage({ id, input: payload });
    return () => worker!.removeEventListener('message', onMessage);
  }, [key]);

  return state;
}
