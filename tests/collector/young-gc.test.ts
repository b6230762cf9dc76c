// The HTTP thread frees the socket chunks of the request bodies it read (lib/runtime/young-gc.ts):
// a collector process, started with the collector's flags, keeps its external memory (buffers
// outside the V8 heap) low while bodies stream through it, instead of holding tens of MB of
// dead chunks until V8 steps in on its own.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forkCollector } from '../../collector/index.ts';
import { YOUNG_GC_BODY_BYTES } from '../../lib/runtime/young-gc.ts';
import { metricValue, tempDir } from './helpers.ts';
import { send } from './wire-helpers.ts';

describe('HTTP thread: request bodies', () => {
  const dir = tempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('frees the chunks of bodies it read: external memory stays near the collection interval while 192 MB pass', async () => {
    const child = await forkCollector({ port: 0, dbUrl: path.join(dir, 'young.db'), retentionMs: 0, live: false });
    try {
      // 1 MB bodies that are not OTLP: read in full, handed to a writer, refused with a 400.
      const body = Buffer.alloc(1024 * 1024, 0xff);
      let maxExternal = 0;
      for (let i = 0; i < 192; i++) {
        const res = await send(`${child.url}/v1/traces`, { headers: { 'Content-Type': 'application/x-protobuf' }, body });
        expect(res.status).toBe(400);
        maxExternal = Math.max(maxExternal, await metricValue(child.url, 'faultline_collector_memory_bytes{kind="external"}'));
      }
      // Dead chunks up to one interval of bodies, plus what the process holds anyway (a few MB).
      expect(maxExternal).toBeLessThan(2 * YOUNG_GC_BODY_BYTES + 8 * 1024 * 1024);
    } finally {
      await child.close();
    }
  });
});
