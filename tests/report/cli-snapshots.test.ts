// `faultline report` as CI runs it: stdout and exit code of every format, on the shared Zipkin
// fixtures and on the planted-smell shop (and its clean variant), compared with committed files.
import { describe, it } from 'vitest';
import { CLEAN, normalize, PLANTED, QUIET_ENV, runCli, ZIPKIN } from './helpers.ts';

const FORMATS = ['text', 'markdown', 'json', 'sarif', 'junit'] as const;
const EXT = { text: 'txt', markdown: 'md', json: 'json', sarif: 'sarif', junit: 'xml' } as const;
const DATA = [
  { name: 'zipkin-fixtures', args: ['--input', `${ZIPKIN}/*.json`], exit: 1 },
  { name: 'planted', args: ['--input', PLANTED], exit: 1 },
  { name: 'clean', args: ['--input', CLEAN], exit: 0 },
] as const;

describe.concurrent('faultline report snapshots', () => {
  for (const d of DATA) {
    for (const format of FORMATS) {
      it(`${d.name} as ${format} exits ${d.exit}`, async ({ expect }) => {
        const r = await runCli(['report', ...d.args, '--format', format], { env: QUIET_ENV });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(d.exit);
        await expect(normalize(r.stdout)).toMatchFileSnapshot(`./__snapshots__/${d.name}.${EXT[format]}`);
      });
    }
  }

  it('exit code follows --fail-on on the same data', async ({ expect }) => {
    const codes: Record<string, number | null> = {};
    for (const sev of ['high', 'medium', 'low', 'info']) codes[sev] = (await runCli(['report', '-i', CLEAN, '--fail-on', sev, '-f', 'json'], { env: QUIET_ENV })).code;
    // The clean shop has only low findings (nano-service pairs).
    expect(codes).toEqual({ high: 0, medium: 0, low: 1, info: 1 });
  });

  it('each shared fixture alone: exit code and finding count are stable', async ({ expect }) => {
    const rows: string[] = [];
    for (const f of ['ascend', 'envoy', 'messaging', 'simple-db-p6', 'skew', 'smartthings-oauth-authorization', 'yelp']) {
      const r = await runCli(['report', '-i', `${ZIPKIN}/${f}.json`, '-f', 'json', '--fail-on', 'medium'], { env: QUIET_ENV });
      const j = JSON.parse(r.stdout) as { summary: { total: number; failing: number }; inputs: { format: string }[] };
      rows.push(`${f}: exit ${r.code}, ${j.summary.total} findings, ${j.summary.failing} failing, ${j.inputs[0].format}`);
    }
    await expect(rows.join('\n') + '\n').toMatchFileSnapshot('./__snapshots__/zipkin-each.txt');
  });
});
