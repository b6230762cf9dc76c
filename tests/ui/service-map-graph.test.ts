import { describe, expect, it } from 'vitest';
import { clampHops, directNeighbours, neighbourhood } from '../../components/service-map/focus.ts';
import { assignLayers, bounds, computeLayout, topologyKey } from '../../components/service-map/layout.ts';
import { edgeEmphasised, edgeGeometry, nodeMatches, parseHiddenKinds, visibleGraph } from '../../components/service-map/view-model.ts';
import type { GraphEdgeJson, GraphNodeJson } from '../../lib/query/types.ts';

const node = (id: string, kind: GraphNodeJson['kind'] = 'service'): GraphNodeJson => ({ id, kind, name: id, calls: 10, errors: 0, errorRate: 0, ratePerSec: 1, p50Ms: 1, p75Ms: 1, p95Ms: 2, p99Ms: 3 });
const edge = (source: string, target: string, kind: GraphEdgeJson['kind'] = 'sync'): GraphEdgeJson => ({
  id: `${source}->${target}|${kind}`,
  source,
  target,
  kind,
  calls: 10,
  errors: 0,
  errorRate: 0,
  ratePerSec: 1,
  p50Ms: 1,
  p75Ms: 1,
  p95Ms: 2,
  p99Ms: 3,
  paired: 10,
  unpaired: 0,
  traceIds: [],
});

// frontend → orders → payments → bank ; orders → db ; inventory isolated
const nodes = ['frontend', 'orders', 'payments', 'bank', 'inventory'].map((id) => node(id)).concat([node('db:pg|h|orders', 'database')]);
const edges = [edge('frontend', 'orders'), edge('orders', 'payments'), edge('payments', 'bank'), edge('orders', 'db:pg|h|orders', 'db')];

describe('focus neighbourhood', () => {
  it('returns hop distances up to n, following edges both ways', () => {
    const d = neighbourhood(nodes.map((n) => n.id), edges, 'payments', 1);
    expect(Object.fromEntries(d)).toEqual({ payments: 0, orders: 1, bank: 1 });
    const d2 = neighbourhood(nodes.map((n) => n.id), edges, 'payments', 2);
    expect([...d2.keys()].sort()).toEqual(['bank', 'db:pg|h|orders', 'frontend', 'orders', 'payments']);
    expect(d2.get('frontend')).toBe(2);
  });

  it('is empty for an unknown centre and just the centre at 0 hops', () => {
    expect(neighbourhood(['a'], [], 'zzz', 2).size).toBe(0);
    expect([...neighbourhood(nodes.map((n) => n.id), edges, 'orders', 0).keys()]).toEqual(['orders']);
  });

  it('lists direct callers and callees', () => {
    expect(directNeighbours(edges, 'orders')).toEqual({ upstream: ['frontend'], downstream: ['db:pg|h|orders', 'payments'] });
  });

  it('clamps hops to 1..5', () => {
    expect(clampHops(0)).toBe(1);
    expect(clampHops(9)).toBe(5);
    expect(clampHops(2.4)).toBe(2);
    expect(clampHops(Number.NaN)).toBe(1);
  });
});

describe('visible graph', () => {
  const base = { hiddenKinds: new Set<GraphNodeJson['kind']>(), focus: null, hops: 1, query: '', highlight: [] as string[], selected: null };

  it('hides node kinds and the edges that touch them', () => {
    const v = visibleGraph({ nodes, edges }, { ...base, hiddenKinds: new Set(['database'] as const) });
    expect(v.nodes.map((n) => n.id)).not.toContain('db:pg|h|orders');
    expect(v.edges.some((e) => e.kind === 'db')).toBe(false);
    expect(v.hiddenCount).toBe(1);
  });

  it('restricts to the focus neighbourhood', () => {
    const v = visibleGraph({ nodes, edges }, { ...base, focus: 'bank', hops: 1 });
    expect(v.nodes.map((n) => n.id).sort()).toEqual(['bank', 'payments']);
    expect(v.edges.map((e) => e.id)).toEqual(['payments->bank|sync']);
  });

  it('emphasises search matches, else highlighted nodes, and always the selection', () => {
    const s = visibleGraph({ nodes, edges }, { ...base, query: 'PAY', selected: 'bank' });
    expect(s.matches).toEqual(['payments']);
    expect([...s.emphasised!].sort()).toEqual(['bank', 'payments']);
    const h = visibleGraph({ nodes, edges }, { ...base, highlight: ['orders', 'ghost'] });
    expect([...h.emphasised!]).toEqual(['orders']);
    expect(visibleGraph({ nodes, edges }, base).emphasised).toBeNull();
  });

  it('emphasises edges between emphasised nodes or touching the selection', () => {
    expect(edgeEmphasised({ source: 'a', target: 'b' }, null, null)).toBe(true);
    expect(edgeEmphasised({ source: 'a', target: 'b' }, new Set(['a']), null)).toBe(false);
    expect(edgeEmphasised({ source: 'a', target: 'b' }, new Set(['a', 'b']), null)).toBe(true);
    expect(edgeEmphasised({ source: 'a', target: 'b' }, null, 'c')).toBe(false);
    expect(edgeEmphasised({ source: 'c', target: 'b' }, null, 'c')).toBe(true);
  });

  it('matches search on name or id, case-insensitively, and never on an empty query', () => {
    expect(nodeMatches({ id: 'db:pg|h|orders', name: 'pg orders' }, 'PG')).toBe(true);
    expect(nodeMatches({ id: 'x', name: 'y' }, '  ')).toBe(false);
  });

  it('parses hidden kinds, ignoring unknown words', () => {
    expect([...parseHiddenKinds('database,bogus,external')].sort()).toEqual(['database', 'external']);
    expect(parseHiddenKinds(null).size).toBe(0);
  });

  it('draws edges from rim to rim, bent so a→b and b→a differ', () => {
    const ab = edgeGeometry(0, 0, 100, 0, 10, 10);
    const ba = edgeGeometry(100, 0, 0, 0, 10, 10);
    expect(ab.d).not.toBe(ba.d);
    expect(ab.mid.y).not.toBe(ba.mid.y);
    const start = ab.d.match(/^M([-\d.]+),([-\d.]+)/)!;
    expect(Math.hypot(Number(start[1]), Number(start[2]))).toBeCloseTo(12, 0);
  });
});

describe('layout', () => {
  it('puts callers in earlier layers than callees, ignoring the back edge of a cycle', () => {
    const l = assignLayers(['a', 'b', 'c', 'd'], [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
      { source: 'c', target: 'a' },
      { source: 'a', target: 'd' },
    ]);
    expect(l.get('a')).toBe(0);
    expect(l.get('b')).toBe(1);
    expect(l.get('c')).toBe(2);
    expect(l.get('d')).toBe(1);
  });

  it('uses the longest path so a shortcut does not pull a node forward', () => {
    const l = assignLayers(['a', 'b', 'c'], [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
      { source: 'a', target: 'c' },
    ]);
    expect(l.get('c')).toBe(2);
  });

  it('lays out every node with finite coordinates, flowing left to right', () => {
    const out = computeLayout({ nodes: nodes.map((n) => ({ id: n.id, r: 16 })), edges });
    for (const n of nodes) {
      expect(Number.isFinite(out.positions[n.id].x)).toBe(true);
      expect(Number.isFinite(out.positions[n.id].y)).toBe(true);
    }
    expect(out.positions.frontend.x).toBeLessThan(out.positions.orders.x);
    expect(out.positions.orders.x).toBeLessThan(out.positions.payments.x);
    expect(out.positions.payments.x).toBeLessThan(out.positions.bank.x);
  });

  it('keeps nodes apart (no two centres closer than their radii)', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ id: `s${i}`, r: 16 }));
    const es = many.slice(1).map((n, i) => ({ source: `s${Math.floor(i / 4)}`, target: n.id }));
    const out = computeLayout({ nodes: many, edges: es });
    let minDist = Infinity;
    for (let i = 0; i < many.length; i++)
      for (let j = i + 1; j < many.length; j++) {
        const a = out.positions[many[i].id];
        const b = out.positions[many[j].id];
        minDist = Math.min(minDist, Math.hypot(a.x - b.x, a.y - b.y));
      }
    expect(minDist).toBeGreaterThan(32);
  });

  it('starts from previous positions so a refresh barely moves the map', () => {
    const input = { nodes: nodes.map((n) => ({ id: n.id, r: 16 })), edges };
    const first = computeLayout(input);
    const second = computeLayout({ ...input, previous: first.positions });
    for (const n of nodes) {
      const a = first.positions[n.id];
      const b = second.positions[n.id];
      expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeLessThan(60);
    }
  });

  it('keys the topology by ids and edges, not by order or numbers', () => {
    expect(topologyKey(['a', 'b'], [{ source: 'a', target: 'b' }])).toBe(topologyKey(['b', 'a'], [{ source: 'a', target: 'b' }]));
    expect(topologyKey(['a', 'b'], [{ source: 'a', target: 'b' }])).not.toBe(topologyKey(['a', 'b'], [{ source: 'b', target: 'a' }]));
  });

  it('bounds an empty layout to a default box', () => {
    expect(bounds({})).toEqual({ x0: -100, y0: -100, x1: 100, y1: 100 });
    expect(bounds({ a: { x: 0, y: 0 }, b: { x: 10, y: 20 } }, 5)).toEqual({ x0: -5, y0: -5, x1: 15, y1: 25 });
  });
});

describe('canvas renderer (big maps)', async () => {
  const { buildScene, canvasRendererFor, hitTest } = await import('../../components/service-map/canvas-draw.ts');
  it('switches to canvas only for big graphs', () => {
    expect(canvasRendererFor(50, 200)).toBe(false);
    expect(canvasRendererFor(301, 10)).toBe(true);
    expect(canvasRendererFor(100, 1201)).toBe(true);
  });

  it('hits nodes within their radius and edges near their midpoint', () => {
    const graph = visibleGraph({ nodes, edges }, { hiddenKinds: new Set(), focus: null, hops: 1, query: '', highlight: [], selected: null });
    const layout = { positions: { frontend: { x: 0, y: 0 }, orders: { x: 200, y: 0 }, payments: { x: 400, y: 0 }, bank: { x: 600, y: 0 }, inventory: { x: 0, y: 300 }, 'db:pg|h|orders': { x: 200, y: 200 } }, layers: {}, ticks: 0 };
    const scene = buildScene(graph, layout, () => 15, () => 2);
    expect(scene.nodes).toHaveLength(6);
    expect(scene.edges).toHaveLength(4);
    expect(hitTest(scene, 205, 3, 1).node?.node.id).toBe('orders');
    expect(hitTest(scene, 260, 260, 1)).toEqual({});
    const mid = scene.edges.find((e) => e.edge.id === 'orders->payments|sync')!.mid;
    expect(hitTest(scene, mid.x + 2, mid.y, 1).edge?.edge.id).toBe('orders->payments|sync');
  });
});

describe('namespace filter', () => {
  const ns = (id: string, namespace?: string, kind: GraphNodeJson['kind'] = 'service') => ({ ...node(id, kind), namespace });
  const g = {
    nodes: [ns('a', 'shop'), ns('b', 'shop'), ns('c', 'billing'), ns('db:x', 'orders', 'database'), ns('db:y', undefined, 'database')],
    edges: [edge('a', 'b'), edge('b', 'c'), edge('a', 'db:x', 'db'), edge('c', 'db:y', 'db')],
  };
  const base = { hiddenKinds: new Set<GraphNodeJson['kind']>(), focus: null, hops: 1, query: '', highlight: [] as string[], selected: null };

  it('lists service namespaces only (a database namespace is not a team)', async () => {
    const { serviceNamespaces } = await import('../../components/service-map/view-model.ts');
    expect(serviceNamespaces(g.nodes)).toEqual(['billing', 'shop']);
  });

  it('keeps the namespace’s services and the databases they use', () => {
    const v = visibleGraph(g, { ...base, namespace: 'shop' });
    expect(v.nodes.map((n) => n.id).sort()).toEqual(['a', 'b', 'db:x']);
    expect(v.edges.map((e) => e.id).sort()).toEqual(['a->b|sync', 'a->db:x|db']);
  });
});
