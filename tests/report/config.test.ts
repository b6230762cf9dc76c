// --config reaches the rules: a switched-off rule is "not evaluated" with the reason, and a
// severity override moves a finding across the --fail-on line (and so the exit code).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../lib/report/index.ts';
import { PLANTED, QUIET_ENV, runCli } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('report --config', () => {
  it('YAML: rules switched off or downgraded no longer fail the build', async () => {
    const cfg = join(dir, 'faultline.config.yaml');
    writeFileSync(cfg, 'version: 1\nrules:\n  shared-database: false\n  service-intimacy:\n    severity: medium\n');
    const r = await runCli(['report', '-i', PLANTED, '--config', cfg, '-f', 'json'], { env: QUIET_ENV });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Report;
    expect(j.findings.some((f) => f.rule === 'shared-database')).toBe(false);
    expect(j.notEvaluated).toContainEqual({ rule: 'shared-database', reason: 'disabled in the configuration' });
    expect(j.findings.find((f) => f.rule === 'service-intimacy')?.severity).toBe('medium');
  });

  it('SARIF results are anchored to the config file (relative to the working directory), or to --sarif-artifact', async () => {
    const cfg = join(dir, 'anchor.json');
    writeFileSync(cfg, '{}');
    const withConfig = JSON.parse((await runCli(['report', '-i', PLANTED, '--config', cfg, '-f', 'sarif'], { env: QUIET_ENV, cwd: dir })).stdout);
    expect(withConfig.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('anchor.json');
    const flagged = JSON.parse((await runCli(['report', '-i', PLANTED, '--sarif-artifact', 'docs/architecture.md', '-f', 'sarif'], { env: QUIET_ENV })).stdout);
    expect(flagged.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('docs/architecture.md');
    const none = JSON.parse((await runCli(['report', '-i', PLANTED, '-f', 'sarif'], { env: QUIET_ENV })).stdout);
    expect(none.runs[0].results[0].locations[0].physicalLocation).toBeUndefined();
  });

  it('JSON: an architecture rule from the config fails the build', async () => {
    const cfg = join(dir, 'faultline.config.json');
    writeFileSync(cfg, JSON.stringify({ architecture: { forbid: [{ from: 'pricing', to: 'stock', kind: 'sync', reason: 'prices must not wait for stock' }] } }));
    const r = await runCli(['report', '-i', PLANTED, '--config', cfg, '-f', 'json', '--fail-on', 'high'], { env: QUIET_ENV });
    const j = JSON.parse(r.stdout) as Report;
    const f = j.findings.find((x) => x.rule === 'architecture/forbidden-dependency');
    expect(f).toMatchObject({ services: ['pricing', 'stock'] });
    expect(r.code).toBe(1);
  });
});
