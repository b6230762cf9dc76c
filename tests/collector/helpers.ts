// A real collector on an ephemeral port with a throw-away SQLite file, and a way to read back
// through the real store while it runs (WAL readers do not block the writer).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CollectorOptions, type RunningCollector, startCollector } from '../../collector/index.ts';
import { openStore } from '../../lib/store/index.ts';
import type { Store } from '../../lib/store/types.ts';

export interface TestCollector {
  collector: RunningCollector;
  dbPath: string;
  dir: string;
  cleanup(): Promise<void>;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-collector-test-'));
}

export async function startTestCollector(opts: CollectorOptions = {}, dir = tempDir()): Promise<TestCollector> {
  const dbPath = path.join(dir, 'test.db');
  const collector = await startCollector({ port: 0, dbUrl: dbPath, retentionMs: 0, ...opts });
  return {
    collector,
    dbPath,
    dir,
    async cleanup() {
      await collector.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function withStore<T>(dbPath: string, read: (store: Store) => T): T {
  const store = openStore(dbPath);
  try {
    return read(store);
  } finally {
    store.close();
  }
}

export async function metricValue(baseUrl: string, line: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const row = text.split('\n').find((l) => l.startsWith(line + ' '));
  return row === undefined ? NaN : Number(row.slice(line.length + 1));
}
