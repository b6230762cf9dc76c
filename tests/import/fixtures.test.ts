// Every public Zipkin fixture imports cleanly (shared/fixtures/README.md lists what is in each).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, readAll } from './helpers.ts';

const services = (spans: { resource: { serviceName: string } }[]) => [...new Set(spans.map((s) => s.resource.serviceName))].sort();

describe('shared Zipkin fixtures', () => {
  it.each([
    ['yelp.json', 16, ['mobile_api', 'routing', 'spectre', 'unknown', 'yelp-main', 'yelp_main/api_proxy']],
    ['ascend.json', 8, ['auth-service', 'content-service', 'mobile-gateway']],
    ['messaging.json', 4, ['backend', 'frontend']],
    ['envoy.json', 1, ['unknown_service']],
    ['simple-db-p6.json', 5, ['bootifulmeters']],
    ['skew.json', 4, ['servicea', 'serviceb']],
    ['smartthings-oauth-authorization.json', 175, ['account', 'auth', 'bouncer', 'datamgmt', 'dove', 'paperboy', 'pusher', 'stlogin']],
  ])('%s: %i spans, services %j, nothing rejected', async (file, count, names) => {
    const r = await readAll(join(FIXTURES, file));
    expect(r.errors).toEqual([]);
    expect(r.rejected).toBe(0);
    expect(r.format).toBe('zipkin');
    expect(r.spans).toHaveLength(count);
    expect(services(r.spans)).toEqual(names);
  });

  it('skew.json: the client and the server that share one span id are both kept', async () => {
    const r = await readAll(join(FIXTURES, 'skew.json'));
    const shared = r.spans.filter((s) => s.spanId === '74280ae0c10d8062');
    expect(shared.map((s) => [s.kind, s.resource.serviceName, s.shared === true]).sort()).toEqual([
      ['client', 'servicea', false],
      ['server', 'serviceb', true],
    ]);
    // Clock skew is kept as recorded: the server starts before its client.
    const client = shared.find((s) => s.kind === 'client')!;
    const server = shared.find((s) => s.kind === 'server')!;
    expect(server.startNs < client.startNs).toBe(true);
  });

  it('messaging.json: producer and consumer kinds, rabbitmq as the remote service', async () => {
    const r = await readAll(join(FIXTURES, 'messaging.json'));
    const producer = r.spans.find((s) => s.kind === 'producer')!;
    expect(producer.resource.serviceName).toBe('frontend');
    expect(producer.attributes['service.peer.name']).toBe('rabbitmq');
    expect(r.spans.find((s) => s.kind === 'consumer')!.resource.serviceName).toBe('backend');
    expect(r.spans.filter((s) => s.kind === 'unspecified').map((s) => s.name)).toEqual(['on-message']);
  });

  it('envoy.json: HTTP tags folded and typed', async () => {
    const [s] = (await readAll(join(FIXTURES, 'envoy.json'))).spans;
    expect(s.attributes['http.request.method']).toBe('GET');
    expect(s.attributes['http.response.status_code']).toBe(200);
    expect(s.attributes['url.full']).toBe('http://www.google.com/');
    expect(s.shared).toBe(true);
  });

  it('simple-db-p6.json: client spans name the database and carry the query', async () => {
    const r = await readAll(join(FIXTURES, 'simple-db-p6.json'));
    const clients = r.spans.filter((s) => s.kind === 'client');
    expect(clients).toHaveLength(4);
    for (const c of clients) expect(c.attributes['service.peer.name']).toBe('app_db');
    expect(clients.map((c) => c.attributes['db.query.text'])).toContain('insert into revinfo (rev, revtstmp) values (null, 1541485537483)');
    expect(clients.every((c) => c.attributes['sql.query'] === undefined)).toBe(true);
  });

  it('smartthings: error tags become error statuses; spans without duration are kept with zero length', async () => {
    const r = await readAll(join(FIXTURES, 'smartthings-oauth-authorization.json'));
    const errors = r.spans.filter((s) => s.status.code === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((s) => s.status.message !== undefined)).toBe(true);
    expect(r.spans.filter((s) => s.durationNs === 0).length).toBeGreaterThanOrEqual(19);
    expect(r.spans.every((s) => s.endNs >= s.startNs)).toBe(true);
  });

  it('yelp.json: annotations become events and one Resource object per service', async () => {
    const r = await readAll(join(FIXTURES, 'yelp.json'));
    expect(r.spans.some((s) => s.events.some((e) => e.name === 'py_zipkin.logging_end'))).toBe(true);
    expect(new Set(r.spans.map((s) => s.resource)).size).toBe(6);
  });

  it.each([
    ['yelp.json', 1],
    ['smartthings-oauth-authorization.json', 7],
    ['smartthings-oauth-authorization.json', 4096],
  ])('%s reads the same spans in chunks of %i bytes', async (file, chunkSize) => {
    const whole = await readAll(join(FIXTURES, file));
    {
      const chunked = await readAll(join(FIXTURES, file), { chunkSize });
      expect(chunked.spans.map((s) => `${s.spanId}/${s.kind}/${s.startNs}`)).toEqual(whole.spans.map((s) => `${s.spanId}/${s.kind}/${s.startNs}`));
    }
  });
});
