// Several outputs from one run, the GitHub Actions extras, and the input globs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandGlob, segmentRegExp } from '../../lib/report/io/glob.ts';
import { resolveInputs } from '../../lib/report/io/files.ts';
import { CLEAN, PLANTED, QUIET_ENV, ROOT, runCli } from './helpers.ts';
import { parseXml } from './xml.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-outputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('outputs', () => {
  it('--output FORMAT=FILE writes every format from one analysis (directories created); stdout keeps --format', async () => {
    const out = join(dir, 'reports', 'nested');
    const r = await runCli(
      ['report', '-i', PLANTED, '-f', 'text', '-o', `json=${out}/r.json`, '-o', `sarif=${out}/r.sarif`, '-o', `junit=${out}/r.xml`, '--output', `md=${out}/r.md`],
      { env: QUIET_ENV },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^faultline: 11 findings/);
    expect(r.stderr).toBe(`faultline report: wrote json → ${out}/r.json, sarif → ${out}/r.sarif, junit → ${out}/r.xml, markdown → ${out}/r.md\n`);
    const json = JSON.parse(readFileSync(`${out}/r.json`, 'utf8')) as { findings: unknown[] };
    const sarif = JSON.parse(readFileSync(`${out}/r.sarif`, 'utf8')) as { runs: { results: unknown[] }[] };
    expect(sarif.runs[0].results).toHaveLength(json.findings.length);
    expect(parseXml(readFileSync(`${out}/r.xml`, 'utf8')).attrs.failures).toBe('2');
    expect(readFileSync(`${out}/r.md`, 'utf8')).toMatch(/^## Faultline architecture report/);
  });

  it('a bare --output FILE takes the --format output instead of stdout', async () => {
    const file = join(dir, 'only.sarif');
    const r = await runCli(['report', '-i', CLEAN, '-f', 'sarif', '--output', file], { env: QUIET_ENV });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe('2.1.0');
  });

  it('two outputs to one file is a usage error', async () => {
    const r = await runCli(['report', '-i', CLEAN, '-o', 'json=x.json', '-o', 'sarif=x.json'], { env: QUIET_ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('faultline report: --output: x.json is named twice\n');
  });

  it('under GitHub Actions: annotations on stderr, the markdown report appended to the job summary, stdout untouched', async () => {
    const summary = join(dir, 'step-summary.md');
    writeFileSync(summary, '# earlier step\n');
    const plain = await runCli(['report', '-i', PLANTED, '-f', 'json'], { env: QUIET_ENV });
    const r = await runCli(['report', '-i', PLANTED, '-f', 'json'], { env: { ...QUIET_ENV, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(plain.stdout);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('::error title=faultline shared-database (high)::'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('::error ')).length).toBe(2);
    expect(lines.filter((l) => l.startsWith('::warning ')).length).toBe(2);
    expect(lines.filter((l) => l.startsWith('::notice ')).length).toBe(7);
    const s = readFileSync(summary, 'utf8');
    expect(s.startsWith('# earlier step\n## Faultline architecture report')).toBe(true);
    expect(s).toContain('```mermaid');
  });
});

describe('input globs', () => {
  const root = join(dir, 'globs');
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  mkdirSync(join(root, '.hidden'), { recursive: true });
  for (const f of ['x.json', 'y.jsonl', 'a/z.json', 'a/b/w.json', '.hidden/h.json', 'a/b/[odd].json']) writeFileSync(join(root, f), '[]');

  it.each([
    ['*.json', ['x.json']],
    ['*.json*', ['x.json', 'y.jsonl']],
    ['**/*.json', ['a/b/[odd].json', 'a/b/w.json', 'a/z.json', 'x.json']],
    ['a/*/w.json', ['a/b/w.json']],
    ['?.jsonl', ['y.jsonl']],
    ['[xy].json', ['x.json']],
    ['[!x].json', []],
    ['.hidden/*.json', ['.hidden/h.json']],
  ])('%s', async (pattern, expected) => {
    const got = (await expandGlob(`${root}/${pattern}`)).map((f) => f.slice(root.length + 1));
    expect(got).toEqual(expected);
  });

  it('segment patterns escape regular-expression characters', () => {
    expect(segmentRegExp('a.b+(c)').test('a.b+(c)')).toBe(true);
    expect(segmentRegExp('a.b').test('axb')).toBe(false);
  });

  it('resolveInputs keeps order, drops duplicates, and refuses a pattern that matches nothing', async () => {
    expect(await resolveInputs([`${root}/x.json`, `${root}/*.json`, `${root}/y.jsonl`])).toEqual([`${root}/x.json`, `${root}/y.jsonl`]);
    await expect(resolveInputs([`${root}/*.csv`])).rejects.toThrow(`--input ${root}/*.csv: no file matches this pattern`);
  });
});

describe('reader thread', () => {
  const config = { rules: {}, architecture: { forbid: [], ownership: [] } };

  it('parsing on a second thread gives the same analysis as in-thread', async () => {
    const { analyzeFiles } = await import('../../lib/report/io/files.ts');
    const a = await analyzeFiles([PLANTED, CLEAN], { now: 0, config, readerThread: 'never' });
    const b = await analyzeFiles([PLANTED, CLEAN], { now: 0, config, readerThread: 'always' });
    expect(b.inputs).toEqual(a.inputs);
    expect(b.analysis.findings.findings).toEqual(a.analysis.findings.findings);
    expect(b.analysis.graph.edges).toEqual(a.analysis.graph.edges);
    expect(b.analysis.spans).toBe(500 + 140);
  });

  it('a broken file read on the second thread is the same input error', async () => {
    const { analyzeFiles } = await import('../../lib/report/io/files.ts');
    const cut = join(dir, 'cut.jsonl');
    const text = readFileSync(PLANTED, 'utf8');
    writeFileSync(cut, text.slice(0, text.length - 40));
    const inThread = await analyzeFiles([cut], { now: 0, config, readerThread: 'never' }).catch((e: Error) => e);
    const onThread = await analyzeFiles([cut], { now: 0, config, readerThread: 'always' }).catch((e: Error) => e);
    expect(onThread).toBeInstanceOf(Error);
    expect((onThread as Error).name).toBe('InputError');
    expect((onThread as Error).message).toBe((inThread as Error).message);
    expect((onThread as Error).message).toMatch(/cut\.jsonl:20:\d+: /);
  });
});

describe('colour', () => {
  // `script` gives the command a real terminal; piped output (every other test) has no colour.
  const onTty = (env: Record<string, string>) => {
    const cmd = `${JSON.stringify(process.execPath)} bin/faultline.js report -i ${JSON.stringify(CLEAN)}`;
    return spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...QUIET_ENV, ...env } }).stdout;
  };

  it('text is coloured on a terminal, and not with NO_COLOR', () => {
    expect(onTty({})).toContain('\u001b[32mPASS: no findings at or above high\u001b[0m');
    const plain = onTty({ NO_COLOR: '1' });
    expect(plain).toContain('PASS: no findings at or above high');
    expect(plain).not.toContain('\u001b[');
  });
});
