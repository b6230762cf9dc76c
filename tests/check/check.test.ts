// `faultline check` end to end: a real Node system (one process per service, the real
// OpenTelemetry SDK exporting OTLP/protobuf to the ephemeral collector that check starts), then
// the report and the exit code that tells findings (1) from a failing command (3) and from
// usage or input errors (2).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../lib/report/index.ts';
import { runCli } from '../cli/run-cli.ts';
import { validate } from '../report/json-schema.ts';
import { QUIET_ENV, ROOT } from '../report/helpers.ts';

const SYSTEM = join(import.meta.dirname, 'fixtures', 'system.mjs');
const schema = JSON.parse(readFileSync(join(ROOT, 'docs', 'report.schema.json'), 'utf8')) as Record<string, unknown>;
const check = (args: string[], env: Record<string, string> = {}) => runCli(['check', '--grace', '500ms', ...args], { env: { ...QUIET_ENV, ...env } });

describe('faultline check', { timeout: 120_000 }, () => {
  it('the planted system (6-deep sync chain, N+1 API) fails the check with exit 1', async () => {
    const r = await check(['--fail-on', 'medium', '--format', 'json', '--', process.execPath, SYSTEM, 'planted']);
    expect(r.stderr).toMatch(/^faultline check: collector on http:\/\/127\.0\.0\.1:\d+; running: /);
    expect(r.stderr).toContain('system planted: 8 requests, statuses 200');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as Report;
    expect(validate(schema, j)).toEqual([]);
    expect(j.inputs).toEqual([{ source: `${process.execPath} ${SYSTEM} planted`, format: 'collector', spans: j.spans, rejected: 0 }]);
    expect(j.traces).toBe(8);
    const chain = j.findings.find((f) => f.rule === 'sync-chain')!;
    expect(chain).toMatchObject({ severity: 'medium', failing: true, services: ['gateway', 'orders', 'pricing', 'shipping', 'stock', 'warehouse'] });
    expect(chain.evidence.counts.maxDepth).toBe(6);
    expect(j.findings.find((f) => f.rule === 'n-plus-one-api')).toMatchObject({ services: ['gateway', 'orders'], failing: true });
    // The edges were paired from the client and server halves the SDKs exported.
    expect(j.graph.edges.filter((e) => e.kind === 'sync').map((e) => `${e.source}->${e.target}`).sort()).toEqual([
      'client->gateway',
      'gateway->orders',
      'orders->pricing',
      'pricing->stock',
      'stock->warehouse',
      'warehouse->shipping',
    ]);
  });

  it('the clean variant passes (exit 0) at the same threshold', async () => {
    const r = await check(['--fail-on', 'medium', '--', process.execPath, SYSTEM, 'clean']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^faultline: \d+ findings?.* — \d+ spans, 8 traces, 3 services\nPASS: no findings at or above medium\n/);
  });

  it('a failing command exits 3, after still reporting what it sent', async () => {
    const r = await check(['--', process.execPath, SYSTEM, 'clean'], { EXIT_CODE: '7' });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('8 traces, 3 services');
    expect(r.stderr).toContain('faultline check: the command failed (exited with code 7): exit 3');
  });

  it('a command that sends no traces is an input error (exit 2) that says so', async () => {
    const r = await check(['--', process.execPath, '-e', 'console.log("not instrumented")']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no spans to analyze (the command sent no traces to the collector: is it instrumented with OpenTelemetry');
    expect(r.stdout).toBe('');
  });

  it('usage errors exit 2: no command, a command that does not exist, a bad --grace', async () => {
    const none = await check([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('faultline check: check needs a command after --, e.g. faultline check -- npm test\n');
    const missing = await check(['--', 'faultline-no-such-command-xyz']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('faultline check: cannot run faultline-no-such-command-xyz: command not found\n');
    const grace = await check(['--grace', 'soon', '--', 'true']);
    expect(grace.code).toBe(2);
    expect(grace.stderr).toBe("faultline check: --grace: not a duration: 'soon' (e.g. 500ms, 2s, 1m)\n");
  });
});
