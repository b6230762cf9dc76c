// A real opossum breaker in a real service, around real HTTP calls to a real failing service,
// exported with the OpenTelemetry SDK to the real collector: Faultline must show exactly the
// transitions opossum made (open → half_open → closed), at the instants it made them, on the
// edge shop → payments, as reported (never inferred).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitsResponse } from '../../lib/query/circuits.ts';
import { startTestCollector, withStore, type TestCollector } from '../collector/helpers.ts';
import { startPayments, startShop, type Payments, type Shop } from './opossum-shop.ts';

let tc: TestCollector;
let payments: Payments;
let shop: Shop;

beforeAll(async () => {
  tc = await startTestCollector();
  payments = await startPayments(tc.collector.url);
  shop = startShop(tc.collector.url, payments.url, { resetTimeoutMs: 600 });
});

afterAll(async () => {
  await shop?.close();
  await payments?.close();
  await tc?.cleanup();
});

describe('opossum through the convention', () => {
  it('open, half-open and closed land on shop → payments, exactly as opossum made them', async () => {
    const fromMs = Date.now() - 1_000;
    for (let i = 0; i < 3; i++) expect(await shop.checkout()).toBe('ok');
    payments.failing = true;
    const verdicts: string[] = [];
    for (let i = 0; i < 20 && shop.state() === 'closed'; i++) verdicts.push(await shop.checkout());
    expect(shop.state()).toBe('open');
    expect(verdicts.every((v) => v === 'failed')).toBe(true);

    // While open, opossum refuses without calling payments.
    const before = payments.requests;
    expect(await shop.checkout()).toBe('rejected');
    expect(payments.requests).toBe(before);

    payments.failing = false;
    await shop.next('half_open');
    expect(await shop.checkout()).toBe('ok');
    expect(shop.state()).toBe('closed');
    await shop.flush();
    await payments.flush();

    const made = shop.transitions.map((t) => ({ to: t.state, atMs: t.atMs }));
    expect(made.map((t) => t.to)).toEqual(['open', 'half_open', 'closed']);

    const toMs = Date.now() + 1_000;
    const r = withStore(tc.dbPath, (s) => circuitsResponse(s, fromMs, toMs, { nowMs: toMs }));
    const mine = r.circuits.filter((c) => c.caller === 'shop');
    expect(mine).toHaveLength(1);
    const c = mine[0];
    expect(c).toMatchObject({
      caller: 'shop',
      callee: 'payments',
      breaker: 'payments-breaker',
      source: 'reported',
      mappedBy: 'peer',
      state: 'closed',
      initialState: 'closed',
      rejected: 1,
      lastTransitionMs: made[2].atMs,
    });
    expect(c.reporters).toEqual(['gauge', 'span-event']);
    expect(c.transitions).toEqual([
      // Nothing read before the first change says what it was (the gauge was read at the end).
      { atMs: made[0].atMs, from: null, to: 'open' },
      { atMs: made[1].atMs, from: 'open', to: 'half_open' },
      { atMs: made[2].atMs, from: 'half_open', to: 'closed' },
    ]);
    // Calls actually sent: 3 ok + the failures + the probe; the refused one is counted apart.
    expect(c.calls).toBe(3 + verdicts.length + 1);
    expect(c.failures).toBe(verdicts.length);
    // A reported breaker is never doubled by an inferred one on its edge.
    expect(r.circuits.some((x) => x.source === 'inferred' && x.caller === 'shop' && x.callee === 'payments')).toBe(false);
  });
});
