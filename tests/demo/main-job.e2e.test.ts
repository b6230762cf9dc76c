// The newcomer's main job, exactly as the README says: `npm start` (after `npm ci`), here on a
// temporary database and free ports (FAULTLINE_DB, FAULTLINE_PORT=0, FAULTLINE_OTLP_PORT=0).
// Waits, bounded, until the HTTP API shows every service, database and topic of the demo shop
// and every planted smell as a finding, and the payments breaker's transitions; then Ctrl-C
// (SIGINT to npm's process group, as a terminal sends it) must leave no process behind.
//
// The breaker's transitions are checked twice: in the stored spans' `circuit_breaker.state_change`
// events (trace search on orders + trace detail: what the demo emits), and in GET /api/v1/circuits
// as a *reported* orders → payments circuit (what Faultline makes of it, issue 6).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { descendants, processes, type Proc } from './processes.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BUILD_AND_START_MS = 12 * 60_000;
const POPULATE_MS = 4 * 60_000;
const STOP_MS = 45_000;

const SERVICES = ['gateway', 'web-bff', 'catalog', 'orders', 'payments', 'inventory', 'shipping', 'notifications', 'recommendations'];
const DATABASES = ['shop.db', 'catalog.db', 'notifications.db'];
const TOPIC = 'order-events';

interface Finding {
  rule: string;
  severity: string;
  title: string;
  services: string[];
  resources: { kind: string; name: string }[];
  evidence: { counts?: Record<string, number>; traceIds?: string[] };
}

/** Each planted smell: which finding proves it (docs/demo.md lists the same). */
const PLANTED: Record<string, (f: Finding) => boolean> = {
  'shared-database (one table)': (f) => f.rule === 'shared-database' && f.severity === 'high' && has(f.services, 'orders', 'inventory') && f.resources.some((r) => r.kind === 'table' && r.name === 'shop.orders'),
  'service-intimacy': (f) => f.rule === 'service-intimacy' && has(f.services, 'orders', 'inventory'),
  'sync-chain ≥6 deep (async hop not counted)': (f) => f.rule === 'sync-chain' && f.resources.some((r) => r.name === 'gateway POST /api/v1/checkout') && f.evidence.counts?.maxDepth === 6 && !f.services.includes('notifications'),
  'cyclic-dependency orders ⇄ inventory': (f) => f.rule === 'cyclic-dependency' && has(f.services, 'orders', 'inventory'),
  'n-plus-one-api to catalog': (f) => f.rule === 'n-plus-one-api' && has(f.services, 'web-bff', 'catalog') && (f.evidence.counts?.maxCalls ?? 0) >= 5,
  'chatty-service web-bff': (f) => f.rule === 'chatty-service' && f.services.includes('web-bff') && (f.evidence.counts?.maxCalls ?? 0) >= 15,
  'missing-circuit-breaker web-bff → recommendations': (f) => f.rule === 'missing-circuit-breaker' && f.resources.some((r) => r.name === 'web-bff->recommendations'),
  'lockstep-deploy recommendations + notifications': (f) => f.rule === 'lockstep-deploy' && has(f.services, 'recommendations', 'notifications'),
};

const has = (list: string[], ...names: string[]) => names.every((n) => list.includes(n));

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'faultline-main-job-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test(
  'npm start shows the demo shop, every planted smell and the breaker transitions, and Ctrl-C leaves no process',
  async () => {
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      // Its own process group, like a shell job: Ctrl-C goes to the whole group.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FAULTLINE_DB: join(dir, 'main.db'), FAULTLINE_PORT: '0', FAULTLINE_OTLP_PORT: '0' },
    });
    let output = '';
    npm.stdout!.setEncoding('utf8').on('data', (d: string) => (output = (output + d).slice(-200_000)));
    npm.stderr!.setEncoding('utf8').on('data', (d: string) => (output = (output + d).slice(-200_000)));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => npm.once('exit', (code, signal) => r({ code, signal })));
    const seen = new Map<number, Proc>();
    try {
      // 1. The URL is printed (after a production build when .next has none or an old one).
      const startDeadline = Date.now() + BUILD_AND_START_MS;
      let dashboard: string | undefined;
      while (!dashboard) {
        if (npm.exitCode !== null) throw new Error(`npm start exited (${npm.exitCode}) before printing the URL:\n${output}`);
        if (Date.now() > startDeadline) throw new Error(`npm start printed no dashboard URL within ${BUILD_AND_START_MS / 60_000} min:\n${output.slice(-5000)}`);
        dashboard = /Dashboard\s+(http:\/\/\S+)/.exec(output)?.[1];
        await new Promise((r) => setTimeout(r, 500));
      }
      const startedAt = Date.now();

      // 2. Poll the API until the map and the findings are complete (each smell seen at least once).
      const deadline = startedAt + POPULATE_MS;
      const missingNodes = new Set([...SERVICES.map((s) => `service ${s}`), ...DATABASES.map((d) => `database ${d}`), `queue ${TOPIC}`]);
      const missingSmells = new Set(Object.keys(PLANTED));
      const transitions = new Set<string>();
      const circuitTransitions = new Set<string>();
      const checkedTraces = new Set<string>();
      let asyncEdges = false;
      let mapAtMs: number | undefined;
      let smellsAtMs: number | undefined;
      const smellAtMs = new Map<string, number>();
      let breakerFalsePositive: Finding | undefined;
      while (Date.now() < deadline && (missingNodes.size > 0 || missingSmells.size > 0 || transitions.size < 3 || circuitTransitions.size < 3 || !asyncEdges)) {
        for (const p of descendants(npm.pid!)) seen.set(p.pid, p);
        const graph = await getJson<{ nodes: { id: string; kind: string }[]; edges: { source: string; target: string; kind: string }[] }>(`${dashboard}/api/v1/graph`);
        for (const n of graph?.nodes ?? []) {
          if (n.kind === 'service') missingNodes.delete(`service ${n.id}`);
          for (const d of DATABASES) if (n.kind === 'database' && n.id.includes(`|${d}|`)) missingNodes.delete(`database ${d}`);
          if (n.kind === 'queue' && n.id.endsWith(`|${TOPIC}`)) missingNodes.delete(`queue ${TOPIC}`);
        }
        const queueId = graph?.nodes.find((n) => n.kind === 'queue' && n.id.endsWith(`|${TOPIC}`))?.id;
        asyncEdges =
          asyncEdges ||
          (!!queueId &&
            !!graph?.edges.some((e) => e.source === 'orders' && e.target === queueId && e.kind === 'async') &&
            !!graph?.edges.some((e) => e.source === queueId && e.target === 'notifications' && e.kind === 'async'));
        if (missingNodes.size === 0 && mapAtMs === undefined) mapAtMs = Date.now() - startedAt;

        const findings = await getJson<{ findings: Finding[] }>(`${dashboard}/api/v1/findings`);
        for (const f of findings?.findings ?? []) {
          for (const [name, matches] of Object.entries(PLANTED)) {
            if (!matches(f)) continue;
            missingSmells.delete(name);
            if (!smellAtMs.has(name)) smellAtMs.set(name, Date.now() - startedAt);
          }
          // The breaker protects orders → payments: that edge must never be reported as unprotected.
          if (f.rule === 'missing-circuit-breaker' && f.resources.some((r) => r.name === 'orders->payments')) breakerFalsePositive = f;
        }
        if (missingSmells.size === 0 && smellsAtMs === undefined) smellsAtMs = Date.now() - startedAt;

        if (transitions.size < 3) {
          const traces = await getJson<{ traces: { traceId: string; startMs: number }[] }>(`${dashboard}/api/v1/traces?service=orders&attr=circuit_breaker.name=payments&limit=500`);
          for (const t of traces?.traces ?? []) {
            if (checkedTraces.has(t.traceId)) continue;
            // A young trace may still be missing spans (batched export): look at it again next time.
            if (t.startMs < Date.now() - 20_000) checkedTraces.add(t.traceId);
            const detail = await getJson<{ spans: { service: string; events: { name: string; attributes: Record<string, unknown> }[] }[] }>(`${dashboard}/api/v1/traces/${t.traceId}`);
            for (const s of detail?.spans ?? []) {
              for (const e of s.events) {
                if (e.name !== 'circuit_breaker.state_change' || s.service !== 'orders') continue;
                if (e.attributes['circuit_breaker.name'] === 'payments' && e.attributes['service.peer.name'] === 'payments') transitions.add(String(e.attributes['circuit_breaker.state']));
              }
            }
          }
        }
        const circuits = await getJson<{ circuits: { caller: string; callee: string; source: string; transitions: { to: string }[] }[] }>(`${dashboard}/api/v1/circuits`);
        for (const c of circuits?.circuits ?? []) {
          if (c.caller === 'orders' && c.callee === 'payments' && c.source === 'reported') for (const t of c.transitions) circuitTransitions.add(t.to);
        }
        await new Promise((r) => setTimeout(r, 5000));
      }
      console.log(
        `main job: map complete ${mapAtMs === undefined ? 'never' : `${(mapAtMs / 1000).toFixed(0)} s`}, every planted smell ${smellsAtMs === undefined ? 'never' : `${(smellsAtMs / 1000).toFixed(0)} s`} after the URL was printed; breaker states seen in span events: ${[...transitions].join(', ')}, in /api/v1/circuits: ${[...circuitTransitions].join(', ')}\n` +
          [...smellAtMs].map(([name, ms]) => `  ${name}: ${(ms / 1000).toFixed(0)} s`).join('\n'),
      );
      expect([...missingNodes], 'map nodes still missing').toEqual([]);
      expect(asyncEdges, 'orders ⇒ order-events ⇒ notifications async edges').toBe(true);
      expect([...missingSmells], 'planted smells not reported').toEqual([]);
      expect([...transitions].sort(), 'payments breaker transitions (span events)').toEqual(['closed', 'half_open', 'open']);
      expect([...circuitTransitions].sort(), 'reported orders → payments circuit transitions (/api/v1/circuits)').toEqual(['closed', 'half_open', 'open']);
      expect(breakerFalsePositive, 'orders → payments has a breaker').toBeUndefined();
    } finally {
      // 3. Ctrl-C: SIGINT to npm's process group, then nothing may be left.
      for (const p of descendants(npm.pid!)) seen.set(p.pid, p);
      if (npm.exitCode === null) process.kill(-npm.pid!, 'SIGINT');
      const exit = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_MS))]);
      const groups = new Set([...seen.values()].map((p) => p.pgid));
      const left = processes().filter((p) => seen.has(p.pid) || groups.has(p.pgid));
      // Clean up before failing, so a failed run does not leave the shop running on the machine.
      for (const p of left) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // Gone.
        }
      }
      expect(left.map((p) => `${p.pid} ${p.cmd}`), 'processes left after Ctrl-C').toEqual([]);
      expect(exit, `npm start did not exit within ${STOP_MS / 1000} s of SIGINT:\n${output.slice(-3000)}`).not.toBe('timeout');
      // npm re-raises the SIGINT it got on itself once its script has exited; serve itself must have stopped cleanly.
      const status = exit as { code: number | null; signal: NodeJS.Signals | null };
      expect(status.code === 0 || status.signal === 'SIGINT', `npm start exit ${JSON.stringify(status)}:\n${output.slice(-3000)}`).toBe(true);
      expect(output).toContain('Faultline stopped.');
      expect(seen.size, 'processes observed while running (npm, serve, collector, dashboard, demo, 10 shop processes)').toBeGreaterThanOrEqual(15);
    }
  },
  BUILD_AND_START_MS + POPULATE_MS + STOP_MS + 60_000,
);
