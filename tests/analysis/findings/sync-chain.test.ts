import { describe, expect, it } from 'vitest';
import type { Span } from '../../../lib/model/index.ts';
import { call, chain, config, findingsOf, span } from './helpers.ts';

const services = (n: number) => Array.from({ length: n }, (_, i) => `svc${i + 1}`);

describe('sync-chain', () => {
  it('4 services deep: nothing; 5: medium; 6: medium; 7: high', () => {
    expect(findingsOf(chain('t1', services(4)), 'sync-chain')).toEqual([]);
    const five = findingsOf(chain('t1', services(5)), 'sync-chain');
    expect(five).toHaveLength(1);
    expect(five[0].severity).toBe('medium');
    expect(five[0].services).toEqual(services(5));
    expect(five[0].evidence.counts.maxDepth).toBe(5);
    expect(five[0].evidence.details?.chain).toEqual(services(5));
    expect(five[0].evidence.spans).toHaveLength(5);
    expect(five[0].resources).toEqual([{ kind: 'endpoint', name: 'svc1 GET /start' }]);
    expect(findingsOf(chain('t1', services(6)), 'sync-chain')[0].severity).toBe('medium');
    expect(findingsOf(chain('t1', services(7)), 'sync-chain')[0].severity).toBe('high');
  });

  it('counts distinct services: A→B→A→B… is not deep', () => {
    expect(findingsOf(chain('t1', ['a', 'b', 'a', 'b', 'a', 'b']), 'sync-chain')).toEqual([]);
  });

  it('needs the deep chain in ≥10% of the endpoint’s traces: 1 of 10 → finding, 1 of 11 → none', () => {
    const shallow = (n: number): Span[] => Array.from({ length: n }, (_, i) => chain(`s${i}`, services(2))).flat();
    const deep = chain('deep', services(5));
    expect(findingsOf([...deep, ...shallow(9)], 'sync-chain')).toHaveLength(1);
    expect(findingsOf([...deep, ...shallow(10)], 'sync-chain')).toEqual([]);
  });

  it('an async hop breaks the chain', () => {
    const spans = [
      ...chain('t1', ['a', 'b', 'c']),
      span({ trace: 't1', id: 'p1', parent: 'h2s', service: 'c', kind: 'producer', name: 'publish', attrs: { 'messaging.system': 'kafka', 'messaging.destination.name': 'events' } }),
      span({ trace: 't1', id: 'q1', parent: 'p1', service: 'd', kind: 'consumer', name: 'consume', attrs: { 'messaging.system': 'kafka', 'messaging.destination.name': 'events' } }),
      ...call({ trace: 't1', id: 'x1', parent: 'q1', from: 'd', to: 'e' }),
      ...call({ trace: 't1', id: 'x2', parent: 'x1s', from: 'e', to: 'f' }),
    ];
    expect(findingsOf(spans, 'sync-chain')).toEqual([]);
  });

  it('honours per-service thresholds and the allow-list', () => {
    const cfg = config({ rules: { 'sync-chain': { services: { 'svc*': { thresholds: { medium: 6, high: 8 } } } } } });
    expect(findingsOf(chain('t1', services(5)), 'sync-chain', cfg)).toEqual([]);
    const allow = config({ rules: { 'sync-chain': { allow: [{ route: '*GET /start' }] } } });
    expect(findingsOf(chain('t1', services(5)), 'sync-chain', allow)).toEqual([]);
    const sev = config({ rules: { 'sync-chain': { severity: 'low' } } });
    expect(findingsOf(chain('t1', services(7)), 'sync-chain', sev)[0].severity).toBe('low');
    const off = config({ rules: { 'sync-chain': { services: { svc1: { enabled: false } } } } });
    expect(findingsOf(chain('t1', services(7)), 'sync-chain', off)).toEqual([]);
  });
});

describe('architecture/max-chain-depth', () => {
  it('flags chains deeper than the declared maximum, not at it', () => {
    const cfg = config({ architecture: { maxChainDepth: 3 } });
    expect(findingsOf(chain('t1', services(3)), 'architecture/max-chain-depth', cfg)).toEqual([]);
    const f = findingsOf(chain('t1', services(4)), 'architecture/max-chain-depth', cfg);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('high');
    expect(f[0].evidence.counts).toMatchObject({ maxDepth: 4, limit: 3 });
  });

  it('says nothing without a declared maximum', () => {
    expect(findingsOf(chain('t1', services(9)), 'architecture/max-chain-depth')).toEqual([]);
  });
});
