// The demo's parts on their own: the load shape, the payments outage schedule, the broker over
// real HTTP, the two database attribute dialects through the real SDK, and --server parsing.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, test } from 'vitest';
import { collectorUrl } from '../../cli/demo.ts';
import { UsageError } from '../../cli/args.ts';
import { createBroker } from '../../demo/broker.ts';
import { inOutage } from '../../demo/services/payments.ts';
import { TracedDb } from '../../demo/sqlite.ts';
import { DAY_MS, maxRate, pickJourney, rateAt } from '../../demo/traffic.ts';
import { releaseDelaysMs } from '../../demo/topology.ts';

describe('shoppers', () => {
  test('the rate stays within (0, 2.5 × base] through a day, bursts included', () => {
    for (let t = 0; t <= DAY_MS; t += 1000) {
      for (const burst of [false, true]) {
        const r = rateAt(t, 2, burst);
        expect(r).toBeGreaterThan(0);
        expect(r).toBeLessThanOrEqual(maxRate(2));
      }
    }
  });

  test('the daily curve rises and falls by 35% around the base', () => {
    expect(rateAt(DAY_MS / 4, 2, false)).toBeCloseTo(2.7, 5);
    expect(rateAt((3 * DAY_MS) / 4, 2, false)).toBeCloseTo(1.3, 5);
  });

  test('journeys: about 40% home, 35% product, 25% checkout with 1–3 valid items', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const counts = { home: 0, product: 0, checkout: 0 };
    for (let i = 0; i < 4000; i++) {
      const j = pickJourney(random);
      if (j.path.startsWith('/api/v1/home')) counts.home++;
      else if (j.path.startsWith('/api/v1/products/')) counts.product++;
      else {
        counts.checkout++;
        const items = (j.body as { items: { productId: number; quantity: number }[] }).items;
        expect(items.length).toBeGreaterThanOrEqual(1);
        expect(items.length).toBeLessThanOrEqual(3);
      }
    }
    expect(counts.home / 4000).toBeGreaterThan(0.36);
    expect(counts.home / 4000).toBeLessThan(0.44);
    expect(counts.checkout / 4000).toBeGreaterThan(0.21);
    expect(counts.checkout / 4000).toBeLessThan(0.29);
  });
});

describe('schedules', () => {
  test('payments is in outage from second 15 (inclusive) to 35 (exclusive) of every minute', () => {
    expect(inOutage(14_999)).toBe(false);
    expect(inOutage(15_000)).toBe(true);
    expect(inOutage(34_999)).toBe(true);
    expect(inOutage(35_000)).toBe(false);
    expect(inOutage(60_000 + 20_000)).toBe(true);
  });

  test('three lockstep releases land within the first minute', () => {
    expect(releaseDelaysMs(0) + releaseDelaysMs(1) + releaseDelaysMs(2)).toBeLessThanOrEqual(60_000);
  });
});

describe('faultline demo --server', () => {
  test('accepts a base URL or a /v1/traces URL', () => {
    expect(collectorUrl('http://127.0.0.1:4318')).toBe('http://127.0.0.1:4318');
    expect(collectorUrl('http://127.0.0.1:4318/')).toBe('http://127.0.0.1:4318');
    expect(collectorUrl('https://faultline.example:4318/v1/traces')).toBe('https://faultline.example:4318');
  });

  test('refuses what is not an http(s) URL', () => {
    expect(() => collectorUrl('localhost:4318')).toThrow(UsageError);
    expect(() => collectorUrl('not a url')).toThrow(UsageError);
    expect(() => collectorUrl('ftp://x')).toThrow(/http/);
  });
});

describe('shopbus', () => {
  const { server, stats } = createBroker();
  const ready = new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  test('delivers each message once per consumer group, from the oldest retained', async () => {
    const base = await ready;
    for (const n of [1, 2, 3]) {
      const r = await fetch(`${base}/topics/t1`, { method: 'POST', body: JSON.stringify({ headers: { traceparent: `x-${n}` }, value: { n } }) });
      expect(r.status).toBe(202);
    }
    const a = (await (await fetch(`${base}/topics/t1/poll?group=a`)).json()) as { messages: { value: { n: number }; headers: Record<string, string> }[] };
    expect(a.messages.map((m) => m.value.n)).toEqual([1, 2, 3]);
    expect(a.messages[0].headers.traceparent).toBe('x-1');
    const again = (await (await fetch(`${base}/topics/t1/poll?group=a`)).json()) as { messages: unknown[] };
    expect(again.messages).toEqual([]);
    const b = (await (await fetch(`${base}/topics/t1/poll?group=b&max=2`)).json()) as { messages: { value: { n: number } }[] };
    expect(b.messages.map((m) => m.value.n)).toEqual([1, 2]);
    expect(stats.published).toBe(3);
  });

  test('a long poll wakes up when a message arrives', async () => {
    const base = await ready;
    const poll = fetch(`${base}/topics/t2/poll?group=g&waitMs=5000`).then((r) => r.json() as Promise<{ messages: { value: string }[] }>);
    await new Promise((r) => setTimeout(r, 100));
    await fetch(`${base}/topics/t2`, { method: 'POST', body: JSON.stringify({ value: 'hello' }) });
    expect((await poll).messages.map((m) => m.value)).toEqual(['hello']);
  });

  test('bad messages get clear errors, not a crash', async () => {
    const base = await ready;
    expect((await fetch(`${base}/topics/t3`, { method: 'POST', body: '{nope' })).status).toBe(400);
    expect((await fetch(`${base}/topics/t3`, { method: 'POST', body: 'x'.repeat(70_000) })).status).toBe(413);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
    expect(stats.rejected).toBe(2);
  });
});

describe('database spans', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-demo-db-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('legacy spans carry the old attribute names, stable spans the new, on one file', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('test');
    const file = join(dir, 'shop.db');
    const legacy = new TracedDb(file, 'shop', 'legacy', tracer);
    const stable = new TracedDb(file, 'shop', 'stable', tracer);
    legacy.setup('CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT)');
    legacy.run('INSERT', 'orders', 'INSERT INTO orders (status) VALUES (?)', 'new');
    stable.run('UPDATE', 'orders', 'UPDATE orders SET status = ? WHERE id = ?', 'reserved', 1);
    expect(legacy.get<{ status: string }>('SELECT', 'orders', 'SELECT status FROM orders WHERE id = ?', 1)?.status).toBe('reserved');
    legacy.close();
    stable.close();
    const [insert, update] = exporter.getFinishedSpans();
    expect(insert.kind).toBe(2); // CLIENT
    expect(insert.attributes).toMatchObject({ 'db.system': 'sqlite', 'db.name': 'shop', 'db.statement': 'INSERT INTO orders (status) VALUES (?)', 'db.sql.table': 'orders', 'net.peer.name': 'shop.db' });
    expect(insert.attributes['db.system.name']).toBeUndefined();
    expect(update.attributes).toMatchObject({ 'db.system.name': 'sqlite', 'db.namespace': 'shop', 'db.query.text': 'UPDATE orders SET status = ? WHERE id = ?', 'db.collection.name': 'orders', 'server.address': 'shop.db' });
    expect(update.attributes['db.name']).toBeUndefined();
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
