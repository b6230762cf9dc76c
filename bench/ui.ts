// UI benchmark in real Chromium against a real `faultline serve` (production build): time to
// first paint and to interactive for one trace of 10,000 and one of 100,000 spans, interaction
// latency on those traces, frame times while scrolling the waterfall, and the service map at
// 1,000 services / 5,000 edges. Spans go in through the collector with the OpenTelemetry SDK.
// Prints figures and the targets; asserts nothing.
//   npm run bench:ui [-- --spans 10000,100000] [-- --map 1000,5000] [-- --skip-map]
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../tests/ui/browser.ts';
import { ensureDashboardBuild, eventually } from '../tests/ui/e2e-harness.ts';
import { sendBigGraph } from '../tests/ui/span-generator.ts';
import { sendBigTrace, startServe, type Served } from '../tests/ui/traces/fixtures.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const SPANS = arg('spans', '10000,100000').split(',').map(Number);
const [MAP_SERVICES, MAP_EDGES] = arg('map', '1000,5000').split(',').map(Number);
const SKIP_MAP = process.argv.includes('--skip-map');

const ms = (v: number) => `${v.toFixed(0).padStart(6)} ms`;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

// In-page code is passed as source text: tsx wraps named functions in a `__name` helper that
// does not exist in the page.

/** Runs `act` in the page and waits for two animation frames: the change is on screen. */
async function interaction(page: Page, act: string): Promise<number> {
  return page.evaluate(`(async () => {
    const t0 = performance.now();
    ${act};
    await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => requestAnimationFrame(r));
    return performance.now() - t0;
  })()`);
}

async function scrollFrames(page: Page, frames: number, stepPx: number): Promise<number[]> {
  return page.evaluate(`(async () => {
    const el = document.querySelector('[data-testid="waterfall"]');
    const deltas = [];
    let last = performance.now();
    await new Promise((resolve) => {
      let n = 0;
      function step(t) {
        deltas.push(t - last);
        last = t;
        el.scrollTop += ${stepPx};
        if (++n < ${frames}) requestAnimationFrame(step);
        else resolve();
      }
      requestAnimationFrame(step);
    });
    return deltas.slice(1);
  })()`);
}

interface TraceFigures {
  spans: number;
  apiMs: number;
  apiStartMs: number;
  apiEndMs: number;
  jsonBytes: number;
  fcpMs: number;
  renderedMs: number;
  interactiveMs: number;
  interactions: Record<string, number>;
  frames: number[];
  wheelFrames: number[];
  heapMb: number;
}

async function benchTrace(browser: Browser, served: Served, traceId: string, spans: number): Promise<TraceFigures> {
  const ctx = await browser.newContext({ viewport: { width: 1500, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${served.dashboard}/traces/${traceId}`, { waitUntil: 'commit' });
  try {
    await page.waitForSelector('[data-testid="waterfall"] [role="treeitem"]', { timeout: 180_000 });
  } catch (err) {
    throw new Error(`the waterfall did not render; the page says: ${(await page.locator('main').innerText()).slice(0, 400)}`, { cause: err });
  }
  const renderedMs = (await page.evaluate('performance.now()')) as number;
  // Interactive: the first click after render is answered (details panel on screen).
  const interactiveMs = (await page.evaluate(`(async () => {
    document.querySelectorAll('[data-testid="waterfall"] [role="treeitem"]')[1].click();
    while (!document.querySelector('[data-testid="span-details"]')) await new Promise((r) => requestAnimationFrame(r));
    await new Promise((r) => requestAnimationFrame(r));
    return performance.now();
  })()`)) as number;
  const nav = (await page.evaluate(`(() => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
    const api = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/traces/'));
    const mem = performance.memory;
    return { fcp, apiMs: api ? api.responseEnd - api.requestStart : NaN, apiStart: api ? api.requestStart : NaN, apiEnd: api ? api.responseEnd : NaN, bytes: api ? api.decodedBodySize : NaN, heap: mem ? mem.usedJSHeapSize / 2 ** 20 : NaN };
  })()`)) as { fcp: number; apiMs: number; apiStart: number; apiEnd: number; bytes: number; heap: number };
  const rows = (await page.evaluate(`document.querySelector('[data-testid="waterfall"]').parentElement.textContent.match(/([\\d,]+) rows/)?.[1] ?? '?'`)) as string;
  if (Number(rows.replace(/,/g, '')) !== spans) console.log(`  note: the waterfall shows ${rows} rows for ${spans} spans sent`);

  const click = (sel: string) => `document.querySelector('${sel}').click()`;
  const interactions: Record<string, number> = {};
  interactions['select another span'] = await interaction(page, `document.querySelectorAll('[data-testid="waterfall"] [role="treeitem"]')[3].click()`);
  interactions['collapse a subtree'] = await interaction(page, `document.querySelectorAll('[data-testid="waterfall"] [data-testid="row-toggle"]')[1].click()`);
  interactions['expand it again'] = await interaction(page, `document.querySelectorAll('[data-testid="waterfall"] [data-testid="row-toggle"]')[1].click()`);
  interactions['critical path on'] = await interaction(page, click('[data-testid="critical-toggle"]'));
  interactions['collapse all'] = await interaction(page, click('[data-testid="collapse-all"]'));
  interactions['expand all'] = await interaction(page, click('[data-testid="expand-all"]'));
  interactions['next error'] = await interaction(page, click('[data-testid="next-error"]'));
  const frames = await scrollFrames(page, 240, 240);
  const wheelFrames = await scrollFrames(page, 240, 48);
  await ctx.close();
  return { spans, apiMs: nav.apiMs, apiStartMs: nav.apiStart, apiEndMs: nav.apiEnd, jsonBytes: nav.bytes, fcpMs: nav.fcp, renderedMs, interactiveMs, interactions, frames, wheelFrames, heapMb: nav.heap };
}

async function benchMap(browser: Browser, served: Served, services: number): Promise<{ fcpMs: number; readyMs: number; interactMs: number; nodes: number; edges: number; layoutNote: string }> {
  const ctx = await browser.newContext({ viewport: { width: 1500, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${served.dashboard}/?range=1h`, { waitUntil: 'commit' });
  await page.waitForSelector('[data-testid="service-map"][data-layout="ready"]', { timeout: 180_000 });
  const readyMs = (await page.evaluate('performance.now()')) as number;
  const info = (await page.evaluate(`(() => {
    const el = document.querySelector('[data-testid="service-map"]');
    return {
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      nodes: Number(el.getAttribute('data-nodes')),
      edges: Number(el.getAttribute('data-edges')),
      note: document.querySelector('.map-footer')?.textContent ?? '',
    };
  })()`)) as { fcp: number; nodes: number; edges: number; note: string };
  if (info.nodes < services) console.log(`  note: the map shows ${info.nodes} nodes for ${services} services sent`);
  const search = page.locator('[data-testid="map-search"]');
  await search.focus();
  const interactMs = await interaction(
    page,
    `const i = document.activeElement; const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set; set.call(i, 'svc-05'); i.dispatchEvent(new Event('input', { bubbles: true }));`,
  );
  await ctx.close();
  return { fcpMs: info.fcp, readyMs, interactMs, nodes: info.nodes, edges: info.edges, layoutNote: info.note.replace(/\s+/g, ' ').trim() };
}

async function main(): Promise<void> {
  console.log('bench:ui — Chromium (Debian) headless, production build, `faultline serve`, 1500×900 viewport');
  await ensureDashboardBuild();
  const browser = await launchChromium();
  try {
    const served = await startServe({ FAULTLINE_SELF_TELEMETRY: 'off' });
    try {
      for (const n of SPANS) {
        const t0 = Date.now();
        const traceId = await sendBigTrace(served.collector, n);
        await eventually(`the ${n}-span trace to be stored`, async () => {
          const r = await fetch(`${served.dashboard}/api/v1/traces?service=gateway&limit=50`);
          const body = (await r.json()) as { traces: { traceId: string; spanCount: number }[] };
          return body.traces.find((t) => t.traceId === traceId && t.spanCount >= n);
        }, 300_000);
        console.log(`\nTrace of ${n.toLocaleString()} spans (ingested through the collector in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        // One warm-up load (server caches, JIT), then the measured one.
        await benchTrace(browser, served, traceId, n);
        const f = await benchTrace(browser, served, traceId, n);
        console.log(`  first contentful paint       ${ms(f.fcpMs)}`);
        console.log(`  API request sent at          ${ms(f.apiStartMs)}   (page code loaded and hydrated)`);
        console.log(`  API response (${(f.jsonBytes / 2 ** 20).toFixed(1)} MiB JSON)   ${ms(f.apiMs)}   (server: /api/v1/traces/{id})`);
        console.log(`  waterfall rendered           ${ms(f.renderedMs)}   (${(f.renderedMs - f.apiEndMs).toFixed(0)} ms after the last byte: parse + rows + paint)`);
        console.log(`  interactive (first click answered) ${ms(f.interactiveMs)}   target ${n <= 10_000 ? '≤ 1000 ms' : 'render ≤ 3000 ms'}: ${(n <= 10_000 ? f.interactiveMs <= 1000 : f.renderedMs <= 3000) ? 'met' : 'MISSED'}`);
        const worst = Math.max(...Object.values(f.interactions));
        for (const [k, v] of Object.entries(f.interactions)) console.log(`  interaction: ${k.padEnd(22)} ${ms(v)}`);
        console.log(`  worst interaction            ${ms(worst)}   target ≤ 100 ms: ${worst <= 100 ? 'met' : 'MISSED'}`);
        console.log(`  scroll frames (${f.wheelFrames.length}, 48 px/frame):  p50 ${pct(f.wheelFrames, 50).toFixed(1)} ms, p95 ${pct(f.wheelFrames, 95).toFixed(1)} ms, max ${Math.max(...f.wheelFrames).toFixed(1)} ms`);
        console.log(`  scroll frames (${f.frames.length}, 240 px/frame): p50 ${pct(f.frames, 50).toFixed(1)} ms, p95 ${pct(f.frames, 95).toFixed(1)} ms, max ${Math.max(...f.frames).toFixed(1)} ms, >50 ms: ${f.frames.filter((x) => x > 50).length}`);
        console.log(`  JS heap after load           ${f.heapMb.toFixed(0)} MiB`);
      }
    } finally {
      await served.stop();
    }
    if (!SKIP_MAP) {
      const mapServed = await startServe({ FAULTLINE_SELF_TELEMETRY: 'off' });
      try {
        const t0 = Date.now();
        await sendBigGraph(mapServed.collector, MAP_SERVICES, MAP_EDGES);
        await eventually('the big graph to be analyzed', async () => {
          const r = (await (await fetch(`${mapServed.dashboard}/api/v1/graph`)).json()) as { nodes: unknown[] };
          return r.nodes.length >= MAP_SERVICES * 0.95;
        }, 600_000);
        console.log(`\nService map, ${MAP_SERVICES} services / ~${MAP_EDGES} edges (ingested and analyzed in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        await benchMap(browser, mapServed, MAP_SERVICES);
        const m = await benchMap(browser, mapServed, MAP_SERVICES);
        console.log(`  nodes / edges drawn          ${m.nodes} / ${m.edges}`);
        console.log(`  first contentful paint       ${ms(m.fcpMs)}`);
        console.log(`  layout ready (interactive)   ${ms(m.readyMs)}   target ≤ 2000 ms: ${m.readyMs <= 2000 ? 'met' : 'MISSED'}`);
        console.log(`  search keystroke answered    ${ms(m.interactMs)}`);
        console.log(`  footer: ${m.layoutNote}`);
      } finally {
        await mapServed.stop();
      }
    }
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
