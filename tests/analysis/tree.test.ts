import { describe, expect, it } from 'vitest';
import { buildTraceTree, groupByTrace } from '../../lib/analysis/trace/tree.ts';
import { MS, sid, span, trace } from './helpers.ts';

const ids = (nodes: { span: { spanId: string } }[]): string[] => nodes.map((n) => n.span.spanId.replace(/^0+/, ''));

describe('buildTraceTree', () => {
  it('orders a well-formed trace in DFS pre-order with children by start', () => {
    const t = buildTraceTree(
      trace('t', [
        { id: 'c2', parent: 'r', service: 'a', start: 20, dur: 5 },
        { id: 'r', service: 'a', kind: 'server', start: 0, dur: 100 },
        { id: 'c1', parent: 'r', service: 'a', start: 10, dur: 5 },
        { id: 'g', parent: 'c1', service: 'a', start: 11, dur: 1 },
      ]),
    );
    expect(ids(t.nodes)).toEqual(['r', 'c1', 'g', 'c2']);
    expect(t.roots).toHaveLength(1);
    expect(t.nodes.map((n) => n.depth)).toEqual([0, 1, 2, 1]);
    expect(t.nodes.map((n) => n.index)).toEqual([0, 1, 2, 3]);
    expect(t.roots[0].selfTimeNs).toBe(90 * MS);
    expect(t.endNs - t.startNs).toBe(BigInt(100 * MS));
  });

  it('makes orphans roots and counts them', () => {
    const t = buildTraceTree(
      trace('t', [
        { id: 'r', service: 'a', kind: 'server', start: 0, dur: 10 },
        { id: 'o', parent: 'missing', service: 'b', kind: 'server', start: 5, dur: 1 },
      ]),
    );
    expect(ids(t.roots)).toEqual(['r', 'o']);
    expect(t.orphans).toBe(1);
  });

  it('hangs the Zipkin server half under the client half with the same id, and children under the server half', () => {
    const t = buildTraceTree(
      trace('t', [
        // Arrival order puts the server half first; the server half starts before the client (skew).
        { id: 'x', parent: 'r', service: 'serviceb', kind: 'server', shared: true, start: -66, dur: 90 },
        { id: 'r', service: 'servicea', kind: 'server', start: 0, dur: 100 },
        { id: 'k', parent: 'x', service: 'serviceb', start: -60, dur: 10 },
        { id: 'x', parent: 'r', service: 'servicea', kind: 'client', start: 3, dur: 94 },
      ]),
    );
    const [root, client, server, inner] = t.nodes;
    expect(root.service).toBe('servicea');
    expect(client.span.kind).toBe('client');
    expect(server.parent).toBe(client);
    expect(server.service).toBe('serviceb');
    expect(inner.parent).toBe(server);
    expect(t.nodes.map((n) => n.depth)).toEqual([0, 1, 2, 3]);
  });

  it('drops exact duplicates and counts them', () => {
    const s = span({ id: 'r', service: 'a', kind: 'server' });
    const t = buildTraceTree([s, { ...s }, span({ id: 'c', parent: 'r', service: 'a' })]);
    expect(t.nodes).toHaveLength(2);
    expect(t.duplicates).toBe(1);
  });

  it('breaks parent cycles at the earliest span and keeps every span', () => {
    const t = buildTraceTree(
      trace('t', [
        { id: 'a', parent: 'b', service: 's', start: 5 },
        { id: 'b', parent: 'a', service: 's', start: 1 },
        { id: 'c', parent: 'a', service: 's', start: 6 },
        { id: 'self', parent: 'self', service: 's', start: 9 },
      ]),
    );
    expect(t.nodes).toHaveLength(4);
    expect(t.cyclesBroken).toBe(1);
    expect(ids(t.roots)).toEqual(['b', 'self']);
    expect(ids(t.nodes)).toEqual(['b', 'a', 'c', 'self']);
  });

  it('computes self time from the union of overlapping children, clipped to the parent', () => {
    const t = buildTraceTree(
      trace('t', [
        { id: 'p', service: 'a', start: 0, dur: 100 },
        { id: 'c1', parent: 'p', service: 'a', start: 10, dur: 30 },
        { id: 'c2', parent: 'p', service: 'a', start: 20, dur: 30 }, // overlaps c1: union 10..50
        { id: 'c3', parent: 'p', service: 'a', start: 90, dur: 50 }, // runs past the parent: 90..100
      ]),
    );
    expect(t.roots[0].selfTimeNs).toBe(50 * MS);
  });

  it('infers kinds for spans without one', () => {
    const t = buildTraceTree(
      trace('t', [
        { id: 'r', service: 'front', kind: 'unspecified' },
        { id: 'p', parent: 'r', service: 'front', kind: 'producer' },
        { id: 'c', parent: 'p', service: 'back', kind: 'unspecified' },
        { id: 'h', parent: 'c', service: 'back', kind: 'unspecified' },
        { id: 'd', parent: 'h', service: 'back', kind: 'unspecified', attrs: { 'db.query.text': 'select 1' } },
        { id: 's', parent: 'r', service: 'other', kind: 'unspecified' },
      ]),
    );
    const byId = new Map(t.nodes.map((n) => [n.span.spanId, n.kind]));
    expect(byId.get(sid('r'))).toBe('server');
    expect(byId.get(sid('c'))).toBe('consumer');
    expect(byId.get(sid('h'))).toBe('internal');
    expect(byId.get(sid('d'))).toBe('client');
    expect(byId.get(sid('s'))).toBe('server');
  });

  it('survives an empty input and a 100k-deep chain without recursion', () => {
    expect(buildTraceTree([]).nodes).toEqual([]);
    const deep = Array.from({ length: 100_000 }, (_, i) => span({ id: `n${i}`, parent: i ? `n${i - 1}` : undefined, service: 'a', start: i }));
    const t = buildTraceTree(deep);
    expect(t.nodes[t.nodes.length - 1].depth).toBe(99_999);
  });
});

describe('groupByTrace', () => {
  it('groups and keeps arrival order', () => {
    const g = groupByTrace([span({ trace: 'a', id: '1', service: 's' }), span({ trace: 'b', id: '2', service: 's' }), span({ trace: 'a', id: '3', service: 's' })]);
    expect([...g.values()].map((l) => l.length)).toEqual([2, 1]);
  });
});
