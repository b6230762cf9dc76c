// unversioned-api, hard-coded-endpoint, nano-service, lockstep-deploy.
import { describe, expect, it } from 'vitest';
import type { Span } from '../../../lib/model/index.ts';
import { isVersioned } from '../../../lib/analysis/findings/rules/unversioned-api.ts';
import { call, config, findingsOf, notEvaluatedReason, span, T0 } from './helpers.ts';

const root = (trace: string, service: string, attrs: Record<string, string>) => span({ trace, id: 'root', service, kind: 'server', name: 'GET', attrs });

describe('unversioned-api', () => {
  it('recognises versions in paths and gRPC packages', () => {
    expect(isVersioned('/api/v1/users', false)).toBe(true);
    expect(isVersioned('/v2', false)).toBe(true);
    expect(isVersioned('/users', false)).toBe(false);
    expect(isVersioned('/devices/v1beta', false)).toBe(false);
    expect(isVersioned('acme.orders.v1.OrderService/Get', true)).toBe(true);
    expect(isVersioned('acme.orders.OrderService/Get', true)).toBe(false);
  });

  it('reports the unversioned public routes of a service and their share', () => {
    const spans = [
      root('a', 'shop', { 'http.route': '/api/v1/items' }),
      root('b', 'shop', { 'http.route': '/cart' }),
      root('c', 'shop', { 'http.route': '/healthz' }),
      root('d', 'shop', { 'url.path': '/orders/123' }),
    ];
    const f = findingsOf(spans, 'unversioned-api');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'low', services: ['shop'] });
    expect(f[0].resources).toEqual([
      { kind: 'route', name: '/cart' },
      { kind: 'route', name: '/orders/{id}' },
    ]);
    expect(f[0].evidence.counts).toEqual({ routes: 3, unversionedRoutes: 2 });
    expect(f[0].evidence.details?.unversionedShare).toBe(0.667);
  });

  it('all versioned: nothing; internal routes are not public', () => {
    expect(findingsOf([root('a', 'shop', { 'http.route': '/api/v2/items' })], 'unversioned-api')).toEqual([]);
    const internal = [root('a', 'shop', { 'http.route': '/v1/x' }), ...call({ trace: 'a', id: 'c', parent: 'root', from: 'shop', to: 'stock', serverAttrs: { 'http.route': '/reserve' } })];
    expect(findingsOf(internal, 'unversioned-api')).toEqual([]);
  });

  it('routes a gateway forwards to are public', () => {
    const spans = [root('a', 'edge-gateway', { 'http.route': '/v1/x' }), ...call({ trace: 'a', id: 'c', parent: 'root', from: 'edge-gateway', to: 'stock', serverAttrs: { 'http.route': '/reserve' } })];
    expect(findingsOf(spans, 'unversioned-api').map((f) => f.services)).toEqual([['stock']]);
  });

  it('is not evaluated without routes', () => {
    expect(notEvaluatedReason([span({ id: 'r', service: 'a', kind: 'server' })], 'unversioned-api')).toBe(
      'no externally reachable SERVER spans with http.route, url.path or rpc.service',
    );
  });

  it('allow-list by route', () => {
    const cfg = config({ rules: { 'unversioned-api': { allow: [{ route: '/cart' }] } } });
    expect(findingsOf([root('b', 'shop', { 'http.route': '/cart' })], 'unversioned-api', cfg)).toEqual([]);
  });
});

describe('hard-coded-endpoint', () => {
  const client = (trace: string, service: string, address: string, extra: Record<string, string> = {}) => [
    span({ trace, id: 'root', service, kind: 'server' }),
    span({ trace, id: 'c', parent: 'root', service, kind: 'client', attrs: { 'server.address': address, 'server.port': 8080, ...extra } }),
  ];

  it('an IP literal where other calls use names: low', () => {
    const f = findingsOf([...client('a', 'web', '10.1.2.3'), ...client('b', 'api', 'users.internal')], 'hard-coded-endpoint');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'low', services: ['web'], resources: [{ kind: 'endpoint', name: '10.1.2.3:8080' }] });
  });

  it('IPv6 literals count too', () => {
    expect(findingsOf([...client('a', 'web', '2001:db8::1'), ...client('b', 'api', 'users.internal')], 'hard-coded-endpoint')).toHaveLength(1);
  });

  it('nothing when every call uses an IP, for loopback, or when the caller named the peer', () => {
    expect(findingsOf([...client('a', 'web', '10.1.2.3'), ...client('b', 'api', '10.1.2.4')], 'hard-coded-endpoint')).toEqual([]);
    expect(findingsOf([...client('a', 'web', '127.0.0.1'), ...client('b', 'api', 'users.internal')], 'hard-coded-endpoint')).toEqual([]);
    expect(findingsOf([...client('a', 'web', '10.1.2.3', { 'service.peer.name': 'users' }), ...client('b', 'api', 'users.internal')], 'hard-coded-endpoint')).toEqual([]);
  });
});

describe('nano-service', () => {
  /** `calls` traces of main → tiny, tiny doing `selfMs` of its own work out of `durMs`. */
  function tinyCalls(count: number, opts: { selfMs?: number; callers?: (i: number) => string; ops?: (i: number) => string } = {}): Span[] {
    const out: Span[] = [];
    for (let i = 0; i < count; i++) {
      const trace = `n${i}`;
      const caller = opts.callers?.(i) ?? 'main';
      out.push(span({ trace, id: 'root', service: caller, kind: 'server', name: 'GET /main', dur: 200 }));
      out.push(span({ trace, id: 'c', parent: 'root', service: caller, kind: 'client', name: 'GET', start: 10, dur: 100 }));
      // tiny's server span lasts 98 ms, but 97 ms of it is waiting for `store`.
      out.push(span({ trace, id: 'cs', parent: 'c', service: 'tiny', kind: 'server', name: opts.ops?.(i) ?? 'GET /tiny', start: 11, dur: 98 }));
      const self = opts.selfMs ?? 1;
      out.push(...call({ trace, id: 'd', parent: 'cs', from: 'tiny', to: 'store', start: 11 + self / 2, dur: 98 - self }));
    }
    return out;
  }

  it('≤2 operations, little own work, one caller, 20 calls: low', () => {
    const f = findingsOf(tinyCalls(20), 'nano-service');
    expect(f.filter((x) => x.title.startsWith('tiny is a nano-service'))).toHaveLength(1);
    const tiny = f.find((x) => x.title.startsWith('tiny'))!;
    expect(tiny).toMatchObject({ severity: 'low', services: ['main', 'tiny'] });
    expect(tiny.evidence.counts).toMatchObject({ operations: 1, calls: 20, callerShare: 1 });
  });

  it('19 calls is too little data; a second caller above 5%, 3 operations, or real work: nothing', () => {
    const tinyOnly = (spans: Span[]) => findingsOf(spans, 'nano-service').filter((x) => x.title.startsWith('tiny is'));
    expect(tinyOnly(tinyCalls(19))).toEqual([]);
    expect(tinyOnly(tinyCalls(20, { callers: (i) => (i < 2 ? 'other' : 'main') }))).toEqual([]);
    expect(tinyOnly(tinyCalls(20, { ops: (i) => `op${i % 3}` }))).toEqual([]);
    expect(tinyOnly(tinyCalls(20, { selfMs: 30 }))).toEqual([]);
  });
});

describe('lockstep-deploy', () => {
  const DAY = 86_400_000;
  /** One span per (service, version) first seen at `at` ms. */
  const releases = (service: string, times: number[]): Span[] =>
    times.map((at, i) => span({ trace: `${service}${i}`, id: 'r', service, kind: 'server', start: at, version: `1.${i}.0` }));

  it('4 versions each (3 releases), every release within 30 min: high', () => {
    const f = findingsOf([...releases('orders', [0, DAY, 2 * DAY, 3 * DAY]), ...releases('billing', [0, DAY + 600_000, 2 * DAY + 1_800_000, 3 * DAY - 60_000])], 'lockstep-deploy');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'high', services: ['billing', 'orders'] });
    expect(f[0].evidence.counts).toEqual({ releasesA: 3, releasesB: 3, releasesTogether: 6 });
  });

  it('31 min apart, or only 2 releases: nothing', () => {
    expect(findingsOf([...releases('orders', [0, DAY, 2 * DAY, 3 * DAY]), ...releases('billing', [0, DAY + 1_860_000, 2 * DAY + 1_860_000, 3 * DAY + 1_860_000])], 'lockstep-deploy')).toEqual([]);
    expect(findingsOf([...releases('orders', [0, DAY, 2 * DAY]), ...releases('billing', [0, DAY, 2 * DAY])], 'lockstep-deploy')).toEqual([]);
  });

  it('6 of 7 releases together (86%) is lockstep; 4 of 6 (67%) is not', () => {
    const a = [0, DAY, 2 * DAY, 3 * DAY];
    expect(findingsOf([...releases('a', a), ...releases('b', [0, DAY, 2 * DAY, 3 * DAY + 5 * 3_600_000])], 'lockstep-deploy')).toEqual([]);
    // b's last release lands within 30 min of a's, but a's third has no partner.
    const f = findingsOf([...releases('a', [0, DAY, 2 * DAY, 3 * DAY, 4 * DAY]), ...releases('b', [0, DAY, 2 * DAY, 4 * DAY])], 'lockstep-deploy');
    expect(f).toHaveLength(1);
    expect(f[0].evidence.counts.releasesTogether).toBe(6);
  });

  it('is not evaluated without service.version; a version timeline from the store counts too', () => {
    expect(notEvaluatedReason([span({ id: 'r', service: 'a', kind: 'server' })], 'lockstep-deploy')).toBe('no service.version on any resource');
    const ns = (ms: number) => T0 + BigInt(ms) * 1_000_000n;
    const serviceVersions = ['a', 'b'].flatMap((service) => [0, DAY, 2 * DAY, 3 * DAY].map((at, i) => ({ service, version: `v${i}`, firstSeenNs: ns(at + (service === 'b' ? 60_000 : 0)) })));
    const f = findingsOf([span({ id: 'r', service: 'a', kind: 'server' })], 'lockstep-deploy', undefined, { serviceVersions });
    expect(f.map((x) => x.services)).toEqual([['a', 'b']]);
  });
});
