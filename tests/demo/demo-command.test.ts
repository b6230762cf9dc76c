// `faultline demo` as a user runs it: usage mistakes exit 2, a URL with no collector behind it
// exits 1 saying how to start one, and a demo whose parent dies stops its whole shop.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { BIN, runCli, startCli } from '../cli/run-cli.ts';
import { descendants, stillAlive, type Proc } from './processes.ts';

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

test(
  'a demo whose parent is killed (SIGKILL) stops its whole shop on its own',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-demo-orphan-'));
    const collector = startCli(['collector', '--otlp-port', '0', '--db', join(dir, 'c.db')]);
    let parent: ChildProcess | undefined;
    let tree: Proc[] = [];
    try {
      const [, url] = await collector.waitFor(/listening on (http:\/\/\S+)/);
      // A parent that starts the demo and then dies without a word, as a killed `faultline serve` would.
      const script = `require('node:child_process').spawn(process.execPath, [${JSON.stringify(BIN)}, 'demo', '--server', process.argv[1]], { stdio: 'inherit' }); setInterval(() => {}, 1000);`;
      parent = spawn(process.execPath, ['-e', script, url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      parent.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      const readyBy = Date.now() + 150_000;
      while (!/Demo shop running/.test(out)) {
        if (Date.now() > readyBy) throw new Error(`the demo did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      tree = descendants(parent.pid!).filter((p) => p.pid !== parent!.pid);
      expect(tree.length, 'demo + broker + 9 services').toBeGreaterThanOrEqual(11);
      parent.kill('SIGKILL');
      const goneBy = Date.now() + 30_000;
      while (stillAlive(tree).length > 0 && Date.now() < goneBy) await new Promise((r) => setTimeout(r, 500));
      expect(stillAlive(tree).map((p) => `${p.pid} ${p.cmd}`)).toEqual([]);
    } finally {
      for (const p of stillAlive(tree)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // Exited meanwhile.
        }
      }
      parent?.kill('SIGKILL');
      collector.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
  240_000,
);
