// Browser journey: a real opossum breaker in `shop` opens on calls to a failing `payments`; the
// service map in Debian's Chromium (against a real `faultline serve`) shows the open badge on
// shop → payments within 5 s of the transition, and the Circuits page lists it as reported.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CircuitsResponse, GraphResponse } from '../../lib/query/types.ts';
import { chromiumPath, launchChromium } from '../ui/browser.ts';
import { ensureDashboardBuild, eventually, screenshotPath, startFaultline, type Faultline } from '../ui/e2e-harness.ts';
import { startPayments, startShop, type Payments, type Shop } from './opossum-shop.ts';

let fl: Faultline | undefined;
let browser: Browser | undefined;
let page: Page;
let payments: Payments | undefined;
let shop: Shop | undefined;
const problems: string[] = [];

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${fl!.dashboard}${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

beforeAll(async () => {
  chromiumPath();
  await ensureDashboardBuild();
  fl = await startFaultline();
  payments = await startPayments(fl.collector);
  // A long reset timeout: the breaker stays open while the pages are looked at.
  shop = startShop(fl.collector, payments.url, { resetTimeoutMs: 120_000 });
  for (let i = 0; i < 10; i++) expect(await shop.checkout()).toBe('ok');
  await shop.flush();
  await payments.flush();
  await eventually(
    'the map to show shop → payments',
    async () => {
      const now = Date.now();
      const g = await api<GraphResponse>(`/api/v1/graph?from=${now - 900_000}&to=${now + 60_000}`);
      return g.edges.some((e) => e.source === 'shop' && e.target === 'payments');
    },
    90_000,
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
}, 20 * 60_000);

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await payments?.close();
  await fl?.stop();
});

describe('circuit breakers in the dashboard', { timeout: 180_000 }, () => {
  it('the map badges shop → payments red within 5 s of the breaker opening', async () => {
    await page.goto(`${fl!.dashboard}/?range=15m`);
    await page.waitForSelector('[data-testid="service-map"][data-layout="ready"]', { timeout: 60_000 });
    await page.waitForSelector('g[data-edge="shop->payments"]', { timeout: 30_000 });
    // Closed: no badge yet (and no inferred one: every call succeeded).
    expect(await page.locator('[data-circuit-edge="shop->payments"]').count()).toBe(0);

    payments!.failing = true;
    for (let i = 0; i < 20 && shop!.state() === 'closed'; i++) await shop!.checkout();
    expect(shop!.state()).toBe('open');
    const openedAt = shop!.transitions.find((t) => t.state === 'open')!.atMs;
    await shop!.flush();
    await page.waitForSelector('[data-circuit-edge="shop->payments"][data-state="open"][data-source="reported"]', { timeout: 15_000 });
    const seenAfterMs = Date.now() - openedAt;
    await page.screenshot({ path: screenshotPath('circuits-map-open') });
    expect(seenAfterMs).toBeLessThan(5_000);
    expect(await page.locator('[data-circuit-edge="shop->payments"] title').textContent()).toContain('payments-breaker');
  });

  it('the Circuits page lists the open breaker, reported, with its transition and strip', async () => {
    const r = await api<CircuitsResponse>(`/api/v1/circuits?from=${Date.now() - 900_000}&to=${Date.now() + 1_000}`);
    expect(r.circuits.find((c) => c.caller === 'shop')).toMatchObject({ callee: 'payments', state: 'open', source: 'reported' });

    await page.goto(`${fl!.dashboard}/circuits?range=15m`);
    const row = page.locator('[data-testid="circuits-table"] tbody tr', { hasText: 'payments-breaker' });
    await row.first().waitFor({ timeout: 30_000 });
    const text = await row.first().innerText();
    expect(text).toContain('shop');
    expect(text).toContain('payments');
    expect(text).toContain('reported');
    expect(text).toContain('closed → open');
    expect(await row.first().locator('[data-state="open"]').count()).toBeGreaterThan(0);
    // The strip ends in a visible open segment.
    expect(await row.first().locator('[data-testid="circuit-strip"] rect[data-state="open"]').count()).toBe(1);
    await page.screenshot({ path: screenshotPath('circuits-page'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
