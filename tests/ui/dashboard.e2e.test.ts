// Browser journeys through the map, services and findings pages, in Debian's Chromium against
// a real `faultline serve` fed by the OpenTelemetry SDK exporter. Screenshots of every page go
// to artifacts/screenshots/ to be looked at.
import { SpanKind } from '@opentelemetry/api';
import { join } from 'node:path';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingsResponse, GraphResponse } from '../../lib/query/types.ts';
import { chromiumPath, launchChromium } from './browser.ts';
import { ensureDashboardBuild, eventually, screenshotPath, startFaultline, type Faultline } from './e2e-harness.ts';
import { SpanSender, sendShopTraffic } from './span-generator.ts';
import { runCli } from '../cli/run-cli.ts';
import { ZIPKIN_FIXTURES } from '../shared.ts';

let fl: Faultline | undefined;
let browser: Browser | undefined;
let page: Page;
const problems: string[] = [];
const windowQuery = 'range=1h';

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${fl!.dashboard}${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function recent(): string {
  const now = Date.now();
  return `from=${now - 3600_000}&to=${now + 60_000}`;
}

beforeAll(async () => {
  // Fails (does not skip) with the instruction to run the README's test command.
  chromiumPath();
  await ensureDashboardBuild();
  fl = await startFaultline();
  await sendShopTraffic(fl.collector, { traces: 150, spreadMinutes: 20 });
  await eventually('the graph to show the shop', async () => {
    const g = await api<GraphResponse>(`/api/v1/graph?${recent()}`);
    return g.nodes.some((n) => n.id === 'orders') && g.edges.some((e) => e.source === 'checkout' && e.target === 'orders');
  }, 90_000);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m: ConsoleMessage) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
}, 20 * 60_000);

afterAll(async () => {
  await browser?.close();
  await fl?.stop();
});

async function mapReady(): Promise<void> {
  await page.waitForSelector('[data-testid="service-map"][data-layout="ready"]', { timeout: 60_000 });
}

describe('dashboard journeys', { timeout: 180_000 }, () => {
  it('shows the services, databases, topics and their edges on the map', async () => {
    await page.goto(`${fl!.dashboard}/?${windowQuery}`);
    await mapReady();
    for (const id of ['web-frontend', 'checkout', 'orders', 'inventory', 'payments', 'notifications']) {
      expect(await page.locator(`g[data-node="${id}"]`).count(), id).toBe(1);
    }
    expect(await page.locator('g[data-kind="database"]').count()).toBeGreaterThan(0);
    expect(await page.locator('g[data-node][data-kind="queue"]').count()).toBeGreaterThan(0);
    expect(await page.locator('g[data-edge="checkout->orders"]').count()).toBeGreaterThan(0);
    expect(await page.locator('g[data-edge][data-kind="db"]').count()).toBeGreaterThan(0);
    // Async edges are drawn dashed, sync edges solid.
    const asyncDash = await page.locator('g[data-edge][data-kind="async"] .edge-line').first().getAttribute('stroke-dasharray');
    expect(asyncDash).toBeTruthy();
    expect(await page.locator('g[data-edge="checkout->orders"] .edge-line').first().getAttribute('stroke-dasharray')).toBeNull();
    // The layout ran off the main thread, under the strict CSP.
    expect(await page.locator('[data-testid="layout-info"]').innerText()).toContain('(worker)');
    // Findings badge the nodes they concern.
    await page.waitForSelector('g[data-node] .badge', { timeout: 60_000 });
    await page.screenshot({ path: screenshotPath('map') });

    await page.locator('g[data-node="orders"] .node-shape').hover();
    const tip = page.locator('.map-tooltip');
    await tip.waitFor();
    expect(await tip.innerText()).toContain('orders');
    expect(await tip.innerText()).toMatch(/p95/);

    await page.locator('g[data-node="orders"] .node-shape').click();
    const panel = page.locator('[data-testid="side-panel"]');
    await panel.waitFor();
    expect(page.url()).toContain('select=orders');
    await panel.getByText('POST /orders').first().waitFor({ timeout: 30_000 });
    expect(await panel.innerText()).toMatch(/upstream/i);
    await page.screenshot({ path: screenshotPath('map-side-panel') });
  });

  it('focuses on a service and its neighbourhood, kept in the URL', async () => {
    await page.goto(`${fl!.dashboard}/?${windowQuery}&focus=payments&hops=1`);
    await mapReady();
    await page.locator('[data-testid="focus-bar"]').waitFor();
    const ids = await page.locator('g[data-node]').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
    expect(ids).toContain('payments');
    expect(ids).toContain('checkout');
    expect(ids).not.toContain('notifications');
    await page.screenshot({ path: screenshotPath('map-focus') });
  });

  it('searches the map', async () => {
    await page.goto(`${fl!.dashboard}/?${windowQuery}`);
    await mapReady();
    await page.locator('[data-testid="map-search"]').fill('inventory');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'inventory');
    await page.waitForSelector('g[data-node="inventory"].emph');
    expect(await page.locator('g[data-node="payments"].dim').count()).toBe(1);
  });

  it('lists the services and opens a service’s RED page', async () => {
    await page.goto(`${fl!.dashboard}/services?${windowQuery}`);
    const table = page.locator('[data-testid="services-table"]');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBeGreaterThanOrEqual(7);
    await table.getByRole('button', { name: /Error rate/ }).click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('sort') === 'errorRate');
    await page.screenshot({ path: screenshotPath('services') });

    await table.getByRole('link', { name: 'orders', exact: true }).click();
    await page.waitForURL(/\/services\/orders/);
    await page.locator('[data-testid="service-page"]').waitFor();
    for (const id of ['chart-rate', 'chart-errors', 'chart-latency']) expect(await page.locator(`[data-testid="${id}"] path`).count()).toBeGreaterThan(0);
    const ops = page.locator('[data-testid="operations-table"]');
    await ops.waitFor();
    expect(await ops.innerText()).toContain('POST /orders');
    // Hover crosshair on the latency chart.
    const chart = page.locator('[data-testid="chart-latency"] svg');
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    await page.locator('.chart-tooltip').first().waitFor();
    await page.screenshot({ path: screenshotPath('service-orders'), fullPage: true });
  });

  it('opens a finding and follows its evidence to the trace page', async () => {
    const f = await eventually('findings with example traces', async () => {
      const r = await api<FindingsResponse>(`/api/v1/findings?${recent()}`);
      return r.findings.find((x) => x.evidence.traceIds.length > 0);
    });
    await page.goto(`${fl!.dashboard}/findings?${windowQuery}`);
    await page.locator('[data-testid="findings-page"]').waitFor();
    await page.locator('[data-testid="monolith-score"]').waitFor();
    const card = page.locator(`[data-testid="finding"][data-rule="${f.rule}"]`).first();
    await card.locator('.finding-summary').click();
    await card.locator('[data-testid="evidence-trace"]').first().waitFor();
    await page.screenshot({ path: screenshotPath('findings'), fullPage: true });

    const showOnMap = await card.locator('[data-testid="show-on-map"]').getAttribute('href');
    expect(showOnMap).toContain('highlight=');

    const link = card.locator('[data-testid="evidence-trace"]').first();
    const traceId = (await link.innerText()).trim();
    await link.click();
    await page.waitForURL(new RegExp(`/traces/${traceId}`));
    await page.waitForLoadState('load');
    await page.getByText(/checkout|orders|web-frontend|recommendations/).first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: screenshotPath('finding-evidence-trace') });

    await page.goto(`${fl!.dashboard}${showOnMap}`);
    await mapReady();
    expect(await page.locator('g[data-node].emph').count()).toBeGreaterThan(0);
    expect(await page.locator('g[data-node].dim').count()).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('map-highlight') });
  });

  it('shows new services without a reload', async () => {
    await page.goto(`${fl!.dashboard}/?${windowQuery}`);
    await mapReady();
    expect(await page.locator('g[data-node="late-arrival"]').count()).toBe(0);
    const s = new SpanSender(fl!.collector);
    const t = Date.now();
    const root = s.tracer('late-arrival').startSpan('GET /late', { kind: SpanKind.SERVER, startTime: t });
    root.end(t + 5);
    await s.shutdown();
    await page.waitForSelector('g[data-node="late-arrival"]', { timeout: 30_000 });
  });

  it('has an empty state with the exporter settings and a way to the last data', async () => {
    const from = Date.UTC(2001, 0, 1);
    await page.goto(`${fl!.dashboard}/?from=${from}&to=${from + 3600_000}`);
    const empty = page.locator('.state-empty');
    await empty.waitFor();
    const text = await empty.innerText();
    expect(text).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${fl!.collector}`);
    expect(text).toContain('OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf');
    await page.locator('[data-testid="show-last-data"]').waitFor();
    await page.screenshot({ path: screenshotPath('map-empty') });
    await page.locator('[data-testid="show-last-data"]').click();
    await mapReady();
  });

  it('moves the window to old imported data instead of showing an empty map', async () => {
    // Old traces survive only without retention; the import goes through the real CLI.
    const old = await startFaultline(['--retention', '0']);
    try {
      const r = await runCli(['import', '--db', old.db, join(ZIPKIN_FIXTURES, 'yelp.json')]);
      expect(r.code, r.stderr).toBe(0);
      await page.goto(`${old.dashboard}/`);
      await page.locator('[data-testid="adapted-notice"]').waitFor({ timeout: 60_000 });
      await mapReady();
      expect(await page.locator('g[data-node="yelp-main"]').count()).toBe(1);
      expect(page.url()).toMatch(/from=\d+&to=\d+/);
      expect(await page.locator('[data-testid="time-window"]').innerText()).toContain('2019-10-2');
      await page.screenshot({ path: screenshotPath('map-old-data') });
    } finally {
      await old.stop();
    }
  });

  it('ran with no page error, dialog or CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
