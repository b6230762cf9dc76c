import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../lib/store/index.ts';
import { batch, hexId, span, tempDir } from './helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('durability', () => {
  it('a batch writeBatch returned for survives the writer process being killed', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'crash.db');
    const traceId = hexId(16);
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/crash-writer.ts'), file, traceId, '300'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.signal).toBe('SIGKILL');
    expect(JSON.parse(child.stdout.trim())).toMatchObject({ spansInserted: 300 });
    const store = openStore(file);
    cleanups.push(() => store.close());
    expect(store.getTrace(traceId)).toHaveLength(300);
  });

  it('checkpoints on demand when automatic checkpoints are off', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const store = openStore(path.join(t.dir, 'ck.db'), { walAutoCheckpointPages: 0 });
    cleanups.push(() => store.close());
    store.writeBatch(batch([span({ traceId: hexId(16) })]));
    const r = store.checkpoint('PASSIVE');
    expect(r.busy).toBe(false);
    expect(r.walPages).toBeGreaterThan(0);
    expect(r.checkpointedPages).toBe(r.walPages);
  });
});
