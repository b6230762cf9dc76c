// chatty-service, serialized-calls, fan-out: how one request spends its calls.
import { describe, expect, it } from 'vitest';
import type { Span } from '../../../lib/model/index.ts';
import { call, findingsOf, span } from './helpers.ts';

/** A SERVER span in `web` making `n` calls, to `targets(i)`, each `dur` ms, starting at `at(i)`. */
function requestWith(n: number, targets: (i: number) => string, at: (i: number) => number, dur = 10): Span[] {
  const out: Span[] = [span({ id: 'root', service: 'web', kind: 'server', name: 'GET /page', dur: 100_000 })];
  for (let i = 0; i < n; i++) out.push(...call({ id: `c${i}`, parent: 'root', from: 'web', to: targets(i), name: `GET /op${i}`, start: at(i), dur }));
  return out;
}
const seq = (dur: number, gap = 1) => (i: number) => 1 + i * (dur + gap);

describe('chatty-service', () => {
  const spread = (i: number) => `svc${i % 3}`;
  it('14 outbound calls in one trace: nothing; 15: medium; 44: medium; 45: high', () => {
    expect(findingsOf(requestWith(14, spread, seq(10)), 'chatty-service')).toEqual([]);
    const f = findingsOf(requestWith(15, spread, seq(10)), 'chatty-service');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'medium', services: ['web'] });
    expect(f[0].evidence.counts.maxCalls).toBe(15);
    expect(f[0].evidence.details?.targets).toEqual(['svc0', 'svc1', 'svc2']);
    expect(findingsOf(requestWith(44, spread, seq(10)), 'chatty-service')[0].severity).toBe('medium');
    expect(findingsOf(requestWith(45, spread, seq(10)), 'chatty-service')[0].severity).toBe('high');
  });
});

describe('serialized-calls', () => {
  const distinct = (i: number) => `svc${i}`;
  it('3 sequential calls to different services saving ≥100 ms: low', () => {
    // 3 × 50 ms one after another: running them together would take 50 ms, saving exactly 100.
    const f = findingsOf(requestWith(3, distinct, seq(50), 50), 'serialized-calls');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('low');
    expect(f[0].evidence.counts).toMatchObject({ maxCalls: 3, maxSavingsMs: 100 });
    expect(f[0].evidence.details?.targets).toEqual(['svc0', 'svc1', 'svc2']);
  });

  it('saving 98 ms: nothing; 2 calls: nothing; overlapping calls: nothing; same target: nothing', () => {
    expect(findingsOf(requestWith(3, distinct, seq(49), 49), 'serialized-calls')).toEqual([]);
    expect(findingsOf(requestWith(2, distinct, seq(200), 200), 'serialized-calls')).toEqual([]);
    expect(findingsOf(requestWith(4, distinct, () => 1, 200), 'serialized-calls')).toEqual([]);
    expect(findingsOf(requestWith(4, () => 'one', seq(200), 200), 'serialized-calls')).toEqual([]);
  });
});

describe('fan-out', () => {
  it('a server span calling 7 services: nothing; 8: medium', () => {
    const par = () => 1;
    expect(findingsOf(requestWith(7, (i) => `svc${i}`, par), 'fan-out')).toEqual([]);
    const f = findingsOf(requestWith(8, (i) => `svc${i}`, par), 'fan-out');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'medium', services: ['web'] });
    expect(f[0].evidence.counts.maxTargets).toBe(8);
  });

  it('19 children: nothing; 20 children: medium', () => {
    const same = () => 'svc';
    expect(findingsOf(requestWith(19, same, () => 1), 'fan-out')).toEqual([]);
    expect(findingsOf(requestWith(20, same, () => 1), 'fan-out')[0].evidence.counts.maxChildren).toBe(20);
  });
});
