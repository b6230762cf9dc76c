// Baselines through the real command: --write-baseline then --baseline on the same data passes;
// a new smell fails and the drift names what changed; a broken baseline is an input error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBaseline, parseBaseline, type Report } from '../../lib/report/index.ts';
import { CLEAN, PLANTED, QUIET_ENV, runCli } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('baselines', () => {
  it('--write-baseline, then --baseline on the same data: every finding is known, exit 0', async () => {
    const file = join(dir, 'planted-baseline.json');
    const w = await runCli(['report', '-i', PLANTED, '--write-baseline', file, '-f', 'json'], { env: QUIET_ENV });
    expect(w.code).toBe(1);
    expect(w.stderr).toContain(`wrote baseline → ${file}`);
    const parsed = parseBaseline(readFileSync(file, 'utf8'), file);
    expect(parsed.ok).toBe(true);
    const r = await runCli(['report', '-i', PLANTED, '--baseline', file, '-f', 'json'], { env: QUIET_ENV });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Report;
    expect(j.summary).toMatchObject({ new: 0, failing: 0, passed: true });
    expect(j.findings.every((f) => f.new === false && !f.failing)).toBe(true);
    expect(j.drift).toMatchObject({ newEdges: [], removedEdges: [], resolvedFindings: [], deeperChains: [], newCycles: [], newSharedDatabases: [] });
  });

  it('a baseline of the clean shop: the planted smells are new, fail the build, and the drift shows the graph change', async () => {
    const file = join(dir, 'clean-baseline.json');
    expect((await runCli(['report', '-i', CLEAN, '--write-baseline', file], { env: QUIET_ENV })).code).toBe(0);
    const r = await runCli(['report', '-i', PLANTED, '--baseline', file, '-f', 'json'], { env: QUIET_ENV });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as Report;
    expect(j.summary.failing).toBe(2);
    const d = j.drift!;
    expect(d.newEdges).toEqual(
      expect.arrayContaining([
        { source: 'pricing', target: 'stock', kind: 'sync' },
        { source: 'stock', target: 'warehouse', kind: 'sync' },
        { source: 'warehouse', target: 'shipping', kind: 'sync' },
      ]),
    );
    expect(d.removedEdges).toEqual([{ source: 'pricing', target: 'db:postgresql|pricing-db:5432|pricing', kind: 'db' }]);
    expect(d.newServices).toEqual(['shipping', 'stock', 'warehouse']);
    expect(d.newSharedDatabases).toEqual([expect.objectContaining({ database: 'db:postgresql|shop-db:5432|shop', services: ['orders', 'stock'] })]);
    expect(d.deeperChains).toEqual([expect.objectContaining({ fromDepth: 0, toDepth: 6 })]);
    const text = await runCli(['report', '-i', PLANTED, '--baseline', file], { env: QUIET_ENV });
    expect(text.stdout).toContain(`baseline ${file}: 9 new findings, 0 resolved findings`);
    expect(text.stdout).toContain('+ edge warehouse → shipping (sync)');
    expect(text.stdout).toContain('+ shared database db:postgresql|shop-db:5432|shop: orders, stock');
    expect(text.stdout).toContain('+ deeper chain 6 services');
    expect(text.stdout).toContain('FAIL: 2 new findings at or above high');
  });

  it('a deeper chain than the baseline recorded is drift even when the finding is known', () => {
    const base = createBaseline({
      findings: [{ fingerprint: 'f1', rule: 'sync-chain', severity: 'medium', title: 't', services: ['a'], evidence: { counts: { maxDepth: 5 }, traceIds: [] }, resources: [], remediation: '', failing: false }],
      graph: { nodes: [], edges: [] },
    } as unknown as Report);
    expect(base.findings[0].depth).toBe(5);
    const round = parseBaseline(JSON.stringify(base), 'b.json');
    expect(round).toEqual({ ok: true, baseline: base });
  });

  it.each([
    ['not JSON', '{', /b\.json: not a baseline: invalid JSON/],
    ['a report instead of a baseline', JSON.stringify({ version: 1, findings: [] }), /this is a JSON report, not a baseline; write one with --write-baseline FILE/],
    ['an unknown rule', JSON.stringify({ faultlineBaseline: 1, findings: [{ fingerprint: 'x', rule: 'nope', severity: 'high', services: [] }], graph: { nodes: [], edges: [] } }), /findings\[0\]\.rule: unknown rule id "nope"/],
    ['a bad edge', JSON.stringify({ faultlineBaseline: 1, findings: [], graph: { nodes: [], edges: [{ source: 'a', target: 'b', kind: 'rpc' }] } }), /graph\.edges\[0\]: expected/],
  ])('parseBaseline refuses %s with the place', (_, text, msg) => {
    const r = parseBaseline(text, 'b.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(msg);
  });

  it('an invalid baseline file exits 2 before any analysis', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"faultlineBaseline": 7}');
    const r = await runCli(['report', '-i', PLANTED, '--baseline', file], { env: QUIET_ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`faultline report: --baseline ${file}: faultlineBaseline: expected 1 (a file written by faultline --write-baseline), got 7\n`);
    expect(r.stdout).toBe('');
  });
});
