import { describe, expect, it } from 'vitest';
import { SEVERITY_COLOR, buildBadges, edgeBadgePosition, findingEdgeIds, findingNodeIds, nodeBadgePosition } from '../../components/service-map/badges.ts';
import { evidenceCounts, groupFindings, humanizeKey, mapHighlightIds, mapHref, traceEvidenceHref } from '../../components/findings/group.ts';
import { chartGeometry, nearestIndex } from '../../components/red/chart-geometry.ts';
import { chooseStepMs, describeStep } from '../../components/red/step.ts';
import type { Finding } from '../../lib/query/types.ts';

const finding = (over: Partial<Finding>): Finding => ({
  rule: 'sync-chain',
  severity: 'medium',
  title: 't',
  services: [],
  resources: [],
  evidence: { counts: {}, traceIds: [] },
  remediation: 'r',
  fingerprint: Math.random().toString(36),
  ...over,
});

const nodes = [
  { id: 'orders', kind: 'service', name: 'orders' },
  { id: 'stock', kind: 'service', name: 'stock' },
  { id: 'db:postgres|db:5432|shop', kind: 'database', name: 'postgres shop@db:5432' },
  { id: 'queue:kafka|events', kind: 'queue', name: 'kafka events', destination: 'events' },
];
const edges = [
  { id: 'orders->stock|sync', source: 'orders', target: 'stock' },
  { id: 'stock->orders|sync', source: 'stock', target: 'orders' },
  { id: 'orders->db:postgres|db:5432|shop|db', source: 'orders', target: 'db:postgres|db:5432|shop' },
  { id: 'stock->db:postgres|db:5432|shop|db', source: 'stock', target: 'db:postgres|db:5432|shop' },
];

describe('finding badges on the map', () => {
  const shared = finding({ rule: 'shared-database', severity: 'high', services: ['orders', 'stock'], resources: [{ kind: 'database', name: 'db:postgres|db:5432|shop' }, { kind: 'table', name: 'stock' }] });
  const cycle = finding({ rule: 'cyclic-dependency', severity: 'medium', services: ['orders', 'stock'], resources: [{ kind: 'edge', name: 'orders->stock' }, { kind: 'edge', name: 'stock->orders' }] });
  const topic = finding({ rule: 'chatty-service', severity: 'low', services: ['ghost'], resources: [{ kind: 'topic', name: 'events' }] });

  it('resolves services, databases (by node id) and topics (by destination) to nodes', () => {
    expect(findingNodeIds(shared, nodes).sort()).toEqual(['db:postgres|db:5432|shop', 'orders', 'stock']);
    expect(findingNodeIds(topic, nodes)).toEqual(['queue:kafka|events']);
  });

  it('resolves `a->b` edge resources and service→database edges', () => {
    expect(findingEdgeIds(cycle, nodes, edges).sort()).toEqual(['orders->stock|sync', 'stock->orders|sync']);
    expect(findingEdgeIds(shared, nodes, edges).sort()).toEqual(['orders->db:postgres|db:5432|shop|db', 'stock->db:postgres|db:5432|shop|db']);
  });

  it('counts findings per node and keeps the worst severity', () => {
    const b = buildBadges([shared, cycle, topic], nodes, edges);
    expect(b.nodes.get('orders')).toEqual({ count: 2, severity: 'high', rules: ['shared-database', 'cyclic-dependency'] });
    expect(b.nodes.get('queue:kafka|events')?.severity).toBe('low');
    expect(b.edges.get('orders->stock|sync')?.count).toBe(1);
    expect(SEVERITY_COLOR.high).toBeTruthy();
  });

  it('places node badges on the upper-right rim and edge badges beside the midpoint', () => {
    const p = nodeBadgePosition(100, 100, 20);
    expect(Math.hypot(p.x - 100, p.y - 100)).toBeCloseTo(20);
    expect(p.x).toBeGreaterThan(100);
    expect(p.y).toBeLessThan(100);
    expect(edgeBadgePosition(0, 0, 100, 0, 10)).toEqual({ x: 50, y: 10 });
  });
});

describe('findings page grouping and links', () => {
  it('groups by severity (worst first) then by rule (most findings first)', () => {
    const g = groupFindings([
      finding({ severity: 'low', rule: 'fan-out' }),
      finding({ severity: 'high', rule: 'shared-database' }),
      finding({ severity: 'low', rule: 'nano-service' }),
      finding({ severity: 'low', rule: 'nano-service' }),
    ]);
    expect(g.map((x) => [x.severity, x.count])).toEqual([
      ['high', 1],
      ['low', 3],
    ]);
    expect(g[1].rules.map((r) => r.rule)).toEqual(['nano-service', 'fan-out']);
  });

  it('links an example trace with only that trace’s spans highlighted', () => {
    const f = finding({ evidence: { counts: {}, traceIds: ['t1', 't2'], spans: [{ traceId: 't1', spanId: 'a' }, { traceId: 't2', spanId: 'b' }, { traceId: 't1', spanId: 'c' }] } });
    expect(traceEvidenceHref(f, 't1')).toBe('/traces/t1?highlight=a%2Cc');
    expect(traceEvidenceHref(f, 't3')).toBe('/traces/t3');
  });

  it('highlights services, databases and both ends of edges on the map, keeping the time window', () => {
    const f = finding({ services: ['a'], resources: [{ kind: 'database', name: 'db:x' }, { kind: 'edge', name: 'b->c' }, { kind: 'route', name: 'GET /' }] });
    expect(mapHighlightIds(f).sort()).toEqual(['a', 'b', 'c', 'db:x']);
    expect(mapHref(f, '?range=6h')).toBe('/?range=6h&highlight=a%2Cdb%3Ax%2Cb%2Cc');
  });

  it('orders evidence counts and makes keys readable', () => {
    expect(evidenceCounts(finding({ evidence: { counts: { tracesSeen: 3, maxDepth: 9 }, traceIds: [] } }))).toEqual([
      { label: 'max depth', value: 9 },
      { label: 'traces seen', value: 3 },
    ]);
    expect(humanizeKey('shared-database')).toBe('shared database');
  });
});

describe('RED charts', () => {
  it('picks readable buckets of about 60 points, never under a minute', () => {
    expect(chooseStepMs(15 * 60_000)).toBe(60_000);
    expect(chooseStepMs(3600_000)).toBe(60_000);
    expect(chooseStepMs(6 * 3600_000)).toBe(10 * 60_000);
    expect(chooseStepMs(7 * 24 * 3600_000)).toBe(3 * 3600_000);
    expect(chooseStepMs(50 * 365 * 24 * 3600_000) % (30 * 24 * 3600_000)).toBe(0);
    expect(describeStep(300_000)).toBe('5 min');
    expect(describeStep(3 * 3600_000)).toBe('3 h');
  });

  const pts = [0, 60_000, 120_000].map((t, i) => ({ timeMs: t, v: [1, 4, 2][i] }));
  const series = [{ key: 'v', label: 'v', color: '#fff', value: (p: { v: number }) => p.v }];

  it('maps time to x and value to y inside the margins', () => {
    const g = chartGeometry(pts, series, 400, 200, String);
    expect(g.x(0)).toBe(g.margin.left);
    expect(g.x(120_000)).toBe(400 - g.margin.right);
    expect(g.y(0)).toBe(200 - g.margin.bottom);
    expect(g.y(4)).toBeLessThanOrEqual(g.y(2));
    expect(g.paths[0].line).toMatch(/^M/);
    expect(g.yTicks.length).toBeGreaterThan(1);
    expect(g.invert(g.x(60_000))).toBe(60_000);
  });

  it('finds the nearest point for the crosshair', () => {
    expect(nearestIndex(pts, 70_000)).toBe(1);
    expect(nearestIndex(pts, -5)).toBe(0);
    expect(nearestIndex(pts, 1e9)).toBe(2);
    expect(nearestIndex([], 5)).toBe(-1);
  });

  it('draws an empty series without NaN', () => {
    const g = chartGeometry([], series, 400, 200, String, [0, 1000]);
    expect(g.paths[0].line).toBe('');
    expect(g.yTicks.every((t) => Number.isFinite(t.y))).toBe(true);
  });
});
