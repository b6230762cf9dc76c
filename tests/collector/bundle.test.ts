// Worker bundles (lib/runtime/bundle.ts): built from TypeScript, reused while the sources are
// unchanged, rebuilt when one changes, and runnable as a plain JavaScript worker.
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledEntry } from '../../lib/runtime/bundle.ts';
import { startTestCollector, withStore } from './helpers.ts';
import { ids, send, traceRequestJson } from './wire-helpers.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function runOnce(file: string): Promise<unknown> {
  const w = new Worker(file);
  return new Promise((resolve, reject) => {
    w.once('message', (m) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

describe('bundledEntry', () => {
  it('bundles a TypeScript worker with its imports, reuses it, and rebuilds it when a source changes', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'faultline-bundle-'));
    const dep = path.join(dir, 'dep.ts');
    writeFileSync(dep, `export const answer: number = 41;\n`);
    writeFileSync(path.join(dir, 'entry.ts'), `import { parentPort } from 'node:worker_threads';\nimport { answer } from './dep.ts';\nparentPort!.postMessage(answer + 1);\n`);
    const entry = pathToFileURL(path.join(dir, 'entry.ts'));

    const first = bundledEntry(entry);
    expect(first).toBeDefined();
    expect(await runOnce(first!)).toBe(42);
    const builtAt = statSync(first!).mtimeMs;

    // Unchanged sources: the same file, not rebuilt.
    expect(bundledEntry(entry)).toBe(first);
    expect(statSync(first!).mtimeMs).toBe(builtAt);

    // A changed import (same size, new time) is picked up.
    writeFileSync(dep, `export const answer: number = 99;\n`);
    utimesSync(dep, new Date(), new Date(Date.now() + 5000));
    const second = bundledEntry(entry);
    expect(second).toBe(first);
    expect(readFileSync(second!, 'utf8')).toContain('99');
    expect(await runOnce(second!)).toBe(100);
  });

  it('is switched off by FAULTLINE_WORKER_BUNDLE=0 (the caller then uses the tsx loader)', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'faultline-bundle-'));
    writeFileSync(path.join(dir, 'entry.ts'), `export {};\n`);
    process.env.FAULTLINE_WORKER_BUNDLE = '0';
    try {
      expect(bundledEntry(pathToFileURL(path.join(dir, 'entry.ts')))).toBeUndefined();
    } finally {
      delete process.env.FAULTLINE_WORKER_BUNDLE;
    }
  });

  it('without bundles the collector still runs, its threads through the tsx loader', async () => {
    process.env.FAULTLINE_WORKER_BUNDLE = '0';
    const tc = await startTestCollector().finally(() => delete process.env.FAULTLINE_WORKER_BUNDLE);
    try {
      const { traceId, spanIds } = ids(1);
      const res = await send(`${tc.collector.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: traceRequestJson('tsx-loader', [{ traceId, spanId: spanIds[0], name: 'GET /' }]),
      });
      expect(res.status).toBe(200);
      expect(withStore(tc.dbPath, (s) => s.getTrace(traceId)).map((s) => s.resource.serviceName)).toEqual(['tsx-loader']);
    } finally {
      await tc.cleanup();
    }
  });
});
