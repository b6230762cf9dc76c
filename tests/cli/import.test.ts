// `faultline import` end to end: the real bin, a temp SQLite file, read back through openStore.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../lib/store/index.ts';
import { FIXTURES, tempDir } from '../import/helpers.ts';
import { sdkTrace } from '../import/otel-sdk-json.ts';
import { ROOT, runCli } from './run-cli.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const fixture = (f: string) => join(FIXTURES, f);
const ALL = ['yelp.json', 'ascend.json', 'messaging.json', 'envoy.json', 'simple-db-p6.json', 'skew.json', 'smartthings-oauth-authorization.json'];

function readBack<T>(db: string, read: (s: ReturnType<typeof openStore>) => T): T {
  const store = openStore(db);
  try {
    return read(store);
  } finally {
    store.close();
  }
}

describe('faultline import', () => {
  it('imports every shared fixture and the Jaeger sample; the store holds them', async () => {
    const db = join(tmp.dir, 'all.db');
    const r = await runCli(['import', '--db', db, ...ALL.map(fixture), join(ROOT, 'tests/import/data/jaeger-hotrod.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  ok      ${fixture('yelp.json')}: 16 spans (zipkin): 16 stored, 0 duplicates skipped, 0 rejected`);
    // smartthings repeats one Kafka consumer span five times (same trace, span id and kind): stored once.
    expect(r.stdout).toContain('175 spans (zipkin): 171 stored, 4 duplicates skipped, 0 rejected');
    expect(r.stdout).toMatch(/Imported 8 of 8 files into .*all\.db: 215 spans stored, 4 duplicates skipped, 0 rejected \(/);
    // The fixtures are years old: say that a collector's retention would delete them.
    expect(r.stdout).toContain('Note: 219 spans ended more than 7 days ago. A collector deletes data older than its --retention (default 7d)');

    readBack(db, (store) => {
      expect(store.getTrace('0000000000000000a03ee8fff1dcd9b9')).toHaveLength(16);
      const skew = store.getTrace('00000000000000001e223ff1f80f1c69');
      expect(skew).toHaveLength(4);
      const shared = skew.filter((s) => s.spanId === '74280ae0c10d8062');
      expect(shared.map((s) => s.kind).sort()).toEqual(['client', 'server']);
      const envoy = store.getTrace('0000000000000000978883983d506fa5');
      expect(envoy.map((s) => s.resource.serviceName)).toEqual(['unknown_service']);
      expect(envoy[0].attributes['http.response.status_code']).toBe(200);
      const services = store.listServices();
      for (const name of ['yelp-main', 'mobile-gateway', 'backend', 'unknown_service', 'bootifulmeters', 'pusher', 'frontend', 'customer']) {
        expect(services).toContain(name);
      }
      expect(store.stats().spans).toBe(215);
    });
  });

  it('importing again stores nothing new: every span is a duplicate', async () => {
    const db = join(tmp.dir, 'twice.db');
    expect((await runCli(['import', '--db', db, fixture('yelp.json')])).code).toBe(0);
    const again = await runCli(['import', '--db', db, fixture('yelp.json')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('16 spans (zipkin): 0 stored, 16 duplicates skipped, 0 rejected');
    expect(readBack(db, (s) => s.stats().spans)).toBe(16);
  });

  it('OTLP JSON-lines from the SDK serializer, with FAULTLINE_DB from the environment', async () => {
    const db = join(tmp.dir, 'env.db');
    const t = sdkTrace();
    const file = tmp.file('export.jsonl', `${t.json}\n${sdkTrace('web', 'billing').json}\n`);
    const r = await runCli(['import', file], { env: { FAULTLINE_DB: db } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('8 spans (otlp-json-lines): 8 stored, 0 duplicates skipped, 0 rejected');
    const stored = readBack(db, (s) => s.getTrace(t.spans[0].spanContext().traceId));
    expect(stored.map((s) => s.name).sort()).toEqual(t.spans.map((s) => s.name).sort());
  });

  it('a bad file is reported with its position, the others still import, exit 2', async () => {
    const db = join(tmp.dir, 'bad.db');
    const truncated = tmp.file('truncated.json', '[\n  {"traceId": "1e22');
    const notTrace = tmp.file('config.json', '{"port": 8080}');
    const r = await runCli(['import', '--db', db, fixture('skew.json'), truncated, join(tmp.dir, 'missing.json'), notTrace, fixture('envoy.json')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`  FAILED  ${truncated}:2:20: unexpected end of file: a value is cut off (truncated JSON?)`);
    expect(r.stdout).toContain(`  FAILED  ${join(tmp.dir, 'missing.json')}: no such file`);
    expect(r.stdout).toContain(
      `  FAILED  ${notTrace}:1:1: config.json is JSON but not a trace: expected resourceSpans (OTLP), a Zipkin span array or Jaeger data[] (found an object with keys port)`,
    );
    expect(r.stdout).toMatch(/Imported 2 of 5 files into .*: 5 spans stored, 0 duplicates skipped, 0 rejected, 3 files failed/);
    expect(readBack(db, (s) => s.stats().spans)).toBe(5);
  });

  it('rejected spans are counted with their reasons; the file still counts as imported', async () => {
    const db = join(tmp.dir, 'rejects.db');
    const file = tmp.file('some-bad.json', JSON.stringify([
      { traceId: 'not-hex', id: '0000000000000001', timestamp: 1, duration: 1 },
      { traceId: '00000000000000aa', id: '0000000000000002', timestamp: 1700000000000000, duration: 5, localEndpoint: { serviceName: 'a' } },
    ]));
    const r = await runCli(['import', '--db', db, file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('some-bad.json: 1 span (zipkin): 1 stored, 0 duplicates skipped, 1 rejected');
    expect(r.stdout).toContain('rejected: span 0: invalid traceId "not-hex"');
  });

  it('without a terminal, progress never redraws in place', async () => {
    const db = join(tmp.dir, 'plain.db');
    const r = await runCli(['import', '--db', db, fixture('smartthings-oauth-authorization.json')]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('\r');
  });
});
