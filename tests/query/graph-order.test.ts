// Graph edges come sorted by id through the reader's rank of edge keys (RollupReader.edgeRank),
// kept up to date as the analyzer adds keys between requests: a few new keys are inserted, many
// sorted in. The order must always be the order of the ids themselves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RollupDelta } from '../../lib/live/delta.ts';
import { Query } from '../../lib/query/query.ts';
import { openStore } from '../../lib/store/index.ts';
import { LiveDb } from '../../lib/store/rollups/live-db.ts';
import { RollupReader } from '../../lib/store/rollups/reader.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('graph edge order', () => {
  it('follows the ids while keys are added between requests', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-graph-order-'));
    dirs.push(dir);
    const file = path.join(dir, 'o.db');
    openStore(file).close();
    const T0 = 29_466_720;
    const db = new LiveDb(file);
    db.claim('t', T0 * 60_000, 1e12);
    let minute = T0;
    let seq = 0;
    const flush = (pairs: [string, string][]) => {
      const d = new RollupDelta();
      const b = d.at(minute);
      for (const [s, t] of pairs) b.call(b.edge(s, t, 'sync'), `t${seq++}`, 5, false);
      expect(db.flush({
        owner: 't', fromSeq: 0, toSeq: 0, maxTraceKey: 0, nowMs: (minute + 1) * 60_000 + 5_000, leaseMs: 1e12,
        delta: d, tiers: [1, 60], pendingAdded: [], pendingRemoved: [], pendingDropped: 0, pendingClients: 0, flushes: db.state()!.flushes,
      })).toBe(true);
      minute++;
    };
    // Names whose order differs from their arrival order, with shared prefixes and a separator
    // inside a name.
    const names = ['m', 'a', 'zz', 'a->b', 'b', 'ab', 'A', 'é', 'a|x', '0'];
    flush(names.slice(1).map((n) => ['m', n] as [string, string]));
    const store = openStore(file);
    const q = new Query({ store, rollups: new RollupReader(file), graphCacheMs: 0, now: () => minute * 60_000 });
    const check = () => {
      const ids = q.graph({ fromMs: T0 * 60_000, toMs: minute * 60_000 }).edges.map((e) => e.id);
      expect(ids).toEqual([...ids].sort());
      return ids.length;
    };
    expect(check()).toBe(names.length - 1);
    // A few new keys (inserted), then many at once (sorted in).
    flush([['zz', 'a'], ['0', 'm'], ['ab', 'a->b']]);
    expect(check()).toBe(names.length + 2);
    const many: [string, string][] = [];
    for (let i = 0; i < 150; i++) many.push([`s${(i * 37) % 150}`, names[i % names.length]]);
    flush(many);
    expect(check()).toBe(names.length + 2 + 150);
    q.close();
    db.close();
  });
});
