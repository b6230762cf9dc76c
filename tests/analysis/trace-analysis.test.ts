import { describe, expect, it } from 'vitest';
import { analyzeTrace } from '../../lib/analysis/trace/analyze.ts';
import { syncChain } from '../../lib/analysis/trace/chain.ts';
import { criticalPath } from '../../lib/analysis/trace/critical-path.ts';
import { buildTraceTree } from '../../lib/analysis/trace/tree.ts';
import { MS, T0, call, span, trace } from './helpers.ts';

const sections = (t: ReturnType<typeof buildTraceTree>) =>
  criticalPath(t).map((s) => [s.spanId.replace(/^0+/, ''), Number((s.startNs - T0) / BigInt(MS)), Number((s.endNs - T0) / BigInt(MS))]);

describe('criticalPath', () => {
  it('walks back from the last-finishing child and skips children that overlap it', () => {
    const t = buildTraceTree(
      trace('t', [
        { id: 'r', service: 'a', start: 0, dur: 100 },
        { id: 'ca', parent: 'r', service: 'a', start: 10, dur: 30 }, // 10..40, overlaps cb: off the path
        { id: 'cb', parent: 'r', service: 'a', start: 20, dur: 70 }, // 20..90
        { id: 'cc', parent: 'r', service: 'a', start: 92, dur: 6 }, // 92..98
        { id: 'g', parent: 'cb', service: 'b', start: 30, dur: 10 }, // 30..40 inside cb
      ]),
    );
    expect(sections(t)).toEqual([
      ['r', 0, 20],
      ['cb', 20, 30],
      ['g', 30, 40],
      ['cb', 40, 90],
      ['r', 90, 92],
      ['cc', 92, 98],
      ['r', 98, 100],
    ]);
    const total = criticalPath(t).reduce((s, x) => s + x.durationNs, 0);
    expect(total).toBe(100 * MS);
  });

  it('clips children that outlive their parent (async, skew) to the parent', () => {
    const t = buildTraceTree(
      trace('t', [
        { id: 'r', service: 'a', start: 0, dur: 50 },
        { id: 'late', parent: 'r', service: 'b', start: 40, dur: 100 },
        { id: 'early', parent: 'r', service: 'c', start: -10, dur: 20 },
      ]),
    );
    expect(sections(t)).toEqual([
      ['early', 0, 10],
      ['r', 10, 40],
      ['late', 40, 50],
    ]);
  });

  it('follows the longest root when parents are missing, and handles an empty trace', () => {
    const t = buildTraceTree(
      trace('t', [
        { id: 'short', service: 'a', start: 0, dur: 5 },
        { id: 'long', parent: 'gone', service: 'b', start: 1, dur: 50 },
      ]),
    );
    expect(sections(t)).toEqual([['long', 1, 51]]);
    expect(criticalPath(buildTraceTree([]))).toEqual([]);
  });
});

describe('syncChain', () => {
  it('counts distinct services along the deepest synchronous path; async hops start a new chain', () => {
    const t = buildTraceTree([
      span({ id: 'r', service: 'a', kind: 'server' }),
      ...call({ id: 'ab', parent: 'r', from: 'a', to: 'b' }),
      ...call({ id: 'bc', parent: 'abs', from: 'b', to: 'c' }),
      span({ id: 'p', parent: 'bcs', service: 'c', kind: 'producer' }),
      span({ id: 'q', parent: 'p', service: 'd', kind: 'consumer' }),
      ...call({ id: 'de', parent: 'q', from: 'd', to: 'e' }),
    ]);
    const c = syncChain(t);
    expect(c.depth).toBe(3);
    expect(c.services).toEqual(['a', 'b', 'c']);
    expect(t.nodes[c.startNode].span.spanId).toBe(t.roots[0].span.spanId);
  });

  it('counts a revisited service once but keeps it in the path (A→B→A→C)', () => {
    const t = buildTraceTree([
      span({ id: 'r', service: 'a', kind: 'server' }),
      ...call({ id: 'ab', parent: 'r', from: 'a', to: 'b' }),
      ...call({ id: 'ba', parent: 'abs', from: 'b', to: 'a' }),
      ...call({ id: 'ac', parent: 'bas', from: 'a', to: 'c' }),
    ]);
    expect(syncChain(t)).toMatchObject({ depth: 3, services: ['a', 'b', 'a', 'c'] });
  });

  it('a 6-deep chain of services has depth 6', () => {
    const specs = [span({ id: 'r', service: 's0', kind: 'server' })];
    let parent = 'r';
    for (let i = 1; i < 6; i++) {
      specs.push(...call({ id: `c${i}`, parent, from: `s${i - 1}`, to: `s${i}` }));
      parent = `c${i}s`;
    }
    expect(syncChain(buildTraceTree(specs)).depth).toBe(6);
  });
});

describe('analyzeTrace', () => {
  it('summarizes a trace for the waterfall', () => {
    const t = buildTraceTree([
      span({ id: 'r', service: 'web', kind: 'server', name: 'GET /', start: 0, dur: 30 }),
      ...call({ id: 'c', parent: 'r', from: 'web', to: 'api', start: 5, dur: 20, error: true }),
    ]);
    const a = analyzeTrace(t);
    expect(a).toMatchObject({ spanCount: 3, errorCount: 2, services: ['api', 'web'], rootService: 'web', rootName: 'GET /', durationNs: 30 * MS });
    expect(a.order.map((o) => [o.depth, o.parentIndex, o.kind])).toEqual([
      [0, -1, 'server'],
      [1, 0, 'client'],
      [2, 1, 'server'],
    ]);
    expect(a.order.every((o) => o.onCriticalPath)).toBe(true);
    expect(a.criticalPathByService.map((s) => s.service)).toEqual(['api', 'web']);
    expect(a.chain.depth).toBe(2);
  });
});
