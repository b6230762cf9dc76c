// `faultline demo` as a user runs it: usage mistakes exit 2, a URL with no collector behind it
// exits 1 saying how to start one, and nothing is left running either way.
import { createServer } from 'node:net';
import { expect, test } from 'vitest';
import { runCli } from '../cli/run-cli.ts';

test('bad --rate and --server values are usage errors (exit 2)', async () => {
  const rate = await runCli(['demo', '--rate', 'fast']);
  expect(rate.code).toBe(2);
  expect(rate.stderr).toMatch(/--rate must be a number/);
  const server = await runCli(['demo', '--server', 'localhost:4318']);
  expect(server.code).toBe(2);
  expect(server.stderr).toMatch(/--server must be an http:\/\/ or https:\/\/ URL, got 'localhost:4318'/);
});

test('no collector at --server: exit 1 with what to do', async () => {
  // A port that was free a moment ago: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const r = await runCli(['demo', '--server', `http://127.0.0.1:${port}`]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`no Faultline collector answers at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
  expect(r.stderr).toMatch(/npx faultline serve/);
});

test('faultline demo --help says which URL --server takes', async () => {
  const r = await runCli(['demo', '--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/COLLECTOR's OTLP\/HTTP base URL/);
  expect(r.stdout).toMatch(/Not the dashboard URL/);
});
