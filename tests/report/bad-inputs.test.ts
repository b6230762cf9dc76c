// Every way to call `report` wrong ends with exit 2 and a message that names the problem
// (and the file, line and column when there is one). Nothing is printed on stdout.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PLANTED, QUIET_ENV, runCli } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** A port nothing listens on: taken from the OS, then released. */
let closedPort = 0;
beforeAll(async () => {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closedPort = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
});
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe.concurrent('report: bad inputs exit 2 with precise messages', () => {
  const cases: [string, () => string[], RegExp | string][] = [
    ['missing file', () => ['-i', join(dir, 'nope.json')], `faultline report: ${join(dir, 'nope.json')}: no such file\n`],
    ['empty file', () => ['-i', file('empty.json', '')], /empty\.json: is empty: expected OTLP JSON, JSON-lines, Zipkin v2 JSON or Jaeger JSON\n$/],
    ['whitespace only', () => ['-i', file('blank.json', '  \n\n')], /blank\.json: contains no JSON \(only whitespace\)/],
    ['truncated JSON', () => ['-i', file('truncated.json', '[{"traceId":"a1b2c3d4e5f60718","id":"a1b2c3d4e5f60718","name":"x","timestamp":1,"duration":2,"localEndpoint":{"serviceName":"a"}},\n{"traceId":"a1b')], /truncated\.json:2:\d+: /],
    ['wrong format (JSON, not a trace)', () => ['-i', file('package.json', '{"name": "x", "version": "1.0.0"}')], /package\.json:1:1: package\.json is JSON but not a trace: expected resourceSpans \(OTLP\), a Zipkin span array or Jaeger data\[\] \(found an object with keys name, version\)/],
    ['wrong format (not JSON)', () => ['-i', file('notes.txt', 'hello world\n')], /notes\.txt:1:1: /],
    ['a glob that matches nothing', () => ['-i', join(dir, 'none-*.jsonl')], `faultline report: --input ${join(dir, 'none-*.jsonl')}: no file matches this pattern\n`],
    ['invalid config (unknown rule)', () => ['-i', PLANTED, '--config', file('bad.json', '{"rules": {"sync-chian": {"severity": "high"}}}')], /invalid configuration:\n {2}.*bad\.json: rules\.sync-chian: unknown rule id.*sync-chain/],
    ['invalid config (bad YAML)', () => ['-i', PLANTED, '--config', file('bad.yaml', 'rules:\n  sync-chain: [\n')], /bad\.yaml: invalid YAML: line \d+, column \d+/],
    ['config file missing', () => ['-i', PLANTED, '--config', join(dir, 'faultline.config.json')], `faultline report: --config ${join(dir, 'faultline.config.json')}: no such file\n`],
    ['config of unknown type', () => ['-i', PLANTED, '--config', file('rules.toml', 'x = 1')], /--config .*rules\.toml: expected a \.json, \.yaml or \.yml file/],
    ['unknown flag', () => ['-i', PLANTED, '--bogus'], 'faultline report: unknown option --bogus; see faultline report --help\n'],
    ['unknown format', () => ['-i', PLANTED, '--format', 'html'], "faultline report: --format: unknown format 'html'; expected one of text, markdown, json, sarif, junit\n"],
    ['unknown --output format', () => ['-i', PLANTED, '--output', 'pdf=x.pdf'], /--output pdf=x\.pdf: unknown format 'pdf'/],
    ['unknown severity', () => ['-i', PLANTED, '--fail-on', 'critical'], "faultline report: --fail-on: unknown severity 'critical'; expected info, low, medium or high\n"],
    ['no input at all', () => [], 'faultline report: report needs --input FILE (repeatable) or --server URL; see faultline report --help\n'],
    ['--input and --server', () => ['-i', PLANTED, '--server', 'http://127.0.0.1:1'], /alternatives/],
    ['--from without --server', () => ['-i', PLANTED, '--from', '2026-01-01T00:00:00Z'], /--from\/--to select the window of --server/],
    ['--config with --server', () => ['--server', 'http://127.0.0.1:1', '--config', 'x.json'], /--config applies to --input/],
    ['unreachable server', () => ['--server', `http://127.0.0.1:${closedPort}`], /^faultline report: cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/v1\/findings: ECONNREFUSED\n$/],
    ['not a URL', () => ['--server', 'localhost:3000'], /--server localhost:3000: expected an http:\/\/ or https:\/\/ URL/],
    ['an empty span list', () => ['-i', file('none.json', '[]')], /no spans to analyze; a gate that saw no data does not pass\. Use --allow-empty to accept it/],
    ['OTLP metrics, not traces', () => ['-i', file('metrics.json', '{"resourceMetrics": [{"resource": {}}]}')], /holds OTLP metrics or logs \(resourceMetrics\/resourceLogs\), not traces/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async ({ expect }) => {
      const r = await runCli(['report', ...args()], { env: QUIET_ENV });
      expect(r.code).toBe(2);
      if (typeof message === 'string') expect(r.stderr).toBe(message);
      else expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });
  }

  it('--allow-empty accepts no spans (exit 0)', async ({ expect }) => {
    const r = await runCli(['report', '-i', file('none2.json', '[]'), '--allow-empty'], { env: QUIET_ENV });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 findings — 0 spans, 0 traces, 0 services');
  });

  it('a truncated JSON-lines file fails the report even though its first lines were good', async ({ expect }) => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(PLANTED, 'utf8');
    const p = file('cut.jsonl', text.slice(0, Math.floor(text.length / 2) + 17));
    const r = await runCli(['report', '-i', p], { env: QUIET_ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cut\.jsonl:\d+:\d+: /);
  });
});
