// Merges graph blocks (graph-block.ts) key by key: every block is sorted by key, so one forward
// pass over all of them visits each edge and node once, with its sketch cells summed in a dense
// scratch. The writer uses it to add a delta to a block and to seal a coarse block from its
// children; the graph query uses it to answer a window. Blocks are given oldest first: the
// newest peer name wins and example trace ids are the first ones seen (in the first few blocks).
import {
  BlockWriter,
  ByteReader,
  MAX_BLOCK_TRACE_IDS,
  readOperationKeys,
  readTraceIdBytes,
  readTraceIds,
  SectionCursor,
  SketchScratch,
  type EdgeEntry,
  blockAccuracy,
  skipTraceIds,
  TraceIdBytes,
} from './graph-block.ts';

/** Blocks an edge's example trace ids are taken from (oldest first). */
const ID_BLOCKS = 3;

/** An entry of one block as its bytes: the fields after its key gap and length, [from, to) of buf. */
export type EntryBytes = (key: number, buf: Uint8Array, from: number, to: number) => void;

/** An edge summed over the merged blocks. */
export interface MergedEdge extends EdgeEntry {
  /** In BlockMerge's 'bytes' id mode, the example ids (traceIds stays empty). */
  ids: TraceIdBytes;
  lat: SketchScratch;
  /** Empty when no block had a server-side sketch for this edge. */
  srv: SketchScratch;
}

export interface MergedNode {
  key: number;
  kind: number;
  calls: number;
  errors: number;
  lat: SketchScratch;
}

/** Section by section: call edges(), then nodes(), then operations() (each at most once, in order). */
export class BlockMerge {
  private readonly readers: ByteReader[] = [];
  private readonly lat = new SketchScratch();
  private readonly srv = new SketchScratch();
  /** Blocks (or their remaining sections) that could not be read: skipped, counted. */
  damaged = 0;
  private stage = 0;

  constructor(
    bodies: readonly (Uint8Array | null | undefined)[],
    readonly accuracy: number,
    /**
     * Example trace ids: as strings in traceIds, as bytes in ids (a caller that writes them out
     * as they are), or not at all.
     */
    private readonly traceIds: 'strings' | 'bytes' | 'none' = 'strings',
  ) {
    for (const b of bodies) {
      if (!b || b.length === 0) continue;
      if (blockAccuracy(b) !== accuracy) {
        this.damaged++;
        continue;
      }
      const r = new ByteReader(b);
      r.p = 9;
      this.readers.push(r);
    }
  }

  get blocks(): number {
    return this.readers.length;
  }

  /** Sketch cells that could not be read, across every merged entry. */
  get damagedCells(): number {
    return this.lat.damaged + this.srv.damaged;
  }

  /** Of the last nextKey(): how many cursors are at its key, and (when one) which. */
  private holders = 0;
  private only = -1;

  /** The smallest key under the cursors (Infinity when all are done); sets holders and only. */
  private nextKey(cs: (SectionCursor | undefined)[]): number {
    let k = Infinity;
    let holders = 0;
    let only = -1;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      if (!c || c.key > k) continue;
      if (c.key < k) {
        k = c.key;
        holders = 0;
        only = i;
      }
      holders++;
    }
    this.holders = holders;
    this.only = only;
    return k;
  }

  /** Hands the entry at key k over as its bytes when one cursor alone has it; whether it did. */
  private handOver(cs: (SectionCursor | undefined)[], k: number, single: EntryBytes): boolean {
    if (this.holders !== 1) return false;
    const c = cs[this.only]!;
    single(k, c.r.buf, c.r.p, c.end);
    this.advance(cs, this.only);
    return true;
  }

  private cursors(): (SectionCursor | undefined)[] {
    return this.readers.map((r) => (r.bad ? undefined : new SectionCursor(r)));
  }

  private advance(cs: (SectionCursor | undefined)[], i: number): void {
    const c = cs[i]!;
    if (c.next()) return;
    if (c.r.bad) this.damaged++;
    cs[i] = undefined;
  }

  /**
   * Visits every edge key once, summed over the blocks. With `single`, an entry only one block
   * has is handed over as its bytes instead (a writer copies it as it is: decoding and encoding
   * it again would give the same bytes).
   */
  edges(visit: (e: MergedEdge) => void, single?: EntryBytes): void {
    if (this.stage++ !== 0) throw new Error('BlockMerge: edges() comes first, once');
    const cs = this.cursors();
    for (let i = 0; i < cs.length; i++) if (cs[i]) this.advance(cs, i);
    const e: MergedEdge = { key: 0, calls: 0, errors: 0, paired: 0, unpaired: 0, peer: 0, traceIds: [], ids: new TraceIdBytes(), lat: this.lat, srv: this.srv };
    const bytes = this.traceIds === 'bytes';
    for (;;) {
      const k = this.nextKey(cs);
      if (k === Infinity) return;
      if (single && this.handOver(cs, k, single)) continue;
      e.key = k;
      e.calls = e.errors = e.paired = e.unpaired = e.peer = 0;
      if (bytes) e.ids.reset();
      else e.traceIds = [];
      this.lat.reset();
      this.srv.reset();
      let idBlocks = 0;
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i];
        if (!c || c.key !== k) continue;
        const r = c.r;
        const b = r.buf;
        const p = r.p;
        // Five one-byte counters are the rule (a minute's calls of one edge): read them inline.
        if (p + 5 <= c.end && (b[p] | b[p + 1] | b[p + 2] | b[p + 3] | b[p + 4]) < 0x80) {
          e.calls += b[p];
          e.errors += b[p + 1];
          e.paired += b[p + 2];
          e.unpaired += b[p + 3];
          if (b[p + 4] !== 0) e.peer = b[p + 4];
          r.p = p + 5;
        } else {
          e.calls += r.varint();
          e.errors += r.varint();
          e.paired += r.varint();
          e.unpaired += r.varint();
          const peer = r.varint();
          if (peer !== 0) e.peer = peer;
        }
        // Examples from the first few blocks that have the edge are enough: comparing the same
        // ids block after block costs more than the sketch cells of a quiet edge.
        if (this.traceIds !== 'none' && idBlocks < ID_BLOCKS && (bytes ? e.ids.n : e.traceIds.length) < MAX_BLOCK_TRACE_IDS) {
          if (bytes) readTraceIdBytes(r, e.ids, MAX_BLOCK_TRACE_IDS);
          else readTraceIds(r, e.traceIds, MAX_BLOCK_TRACE_IDS);
          idBlocks++;
        } else skipTraceIds(r);
        this.lat.addCells(r);
        if (r.u8() === 1) this.srv.addCells(r);
        this.advance(cs, i);
      }
      visit(e);
    }
  }

  /** Visits every node key once, summed over the blocks; `single` as for edges(). */
  nodes(visit: (n: MergedNode) => void, single?: EntryBytes): void {
    if (this.stage++ !== 1) throw new Error('BlockMerge: nodes() comes after edges(), once');
    const cs = this.cursors();
    for (let i = 0; i < cs.length; i++) if (cs[i]) this.advance(cs, i);
    const n: MergedNode = { key: 0, kind: 0, calls: 0, errors: 0, lat: this.lat };
    for (;;) {
      const k = this.nextKey(cs);
      if (k === Infinity) return;
      if (single && this.handOver(cs, k, single)) continue;
      n.key = k;
      n.calls = n.errors = 0;
      this.lat.reset();
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i];
        if (!c || c.key !== k) continue;
        const r = c.r;
        n.kind = r.u8();
        n.calls += r.varint();
        n.errors += r.varint();
        this.lat.addCells(r);
        this.advance(cs, i);
      }
      visit(n);
    }
  }

  operations(visit: (key: number) => void): void {
    if (this.stage++ !== 2) throw new Error('BlockMerge: operations() comes after nodes(), once');
    for (const r of this.readers) {
      if (r.bad) continue;
      readOperationKeys(r, visit);
      if (r.bad) this.damaged++;
    }
  }
}

/** One block holding the sum of `bodies` (oldest first); damaged inputs are skipped and counted. */
export function mergeBlocks(bodies: readonly (Uint8Array | null | undefined)[], accuracy: number): { body: Uint8Array; damaged: number } {
  const m = new BlockMerge(bodies, accuracy);
  const w = new BlockWriter(accuracy);
  // Entries only one block has are copied as they are: a flush adds a delta touching part of the
  // edges to a block holding all of them, and decoding and encoding the rest was most of it.
  // (Damaged bytes inside such an entry are then counted when it is read, not here.)
  const copy: EntryBytes = (key, buf, from, to) => w.entryBytes(key, buf, from, to);
  w.section();
  m.edges((e) => w.edge(e, e.lat, e.srv), copy);
  w.section();
  m.nodes((n) => w.node(n, n.lat), copy);
  w.section();
  const ops: number[] = [];
  m.operations((k) => ops.push(k));
  ops.sort((a, b) => a - b);
  let prev = -1;
  for (const k of ops) if (k !== prev) w.operation((prev = k));
  return { body: w.finish(), damaged: m.damaged + m.damagedCells };
}

/**
 * Edge key → peer name key + 1 for every edge that names an uninstrumented peer in any block (the
 * newest name wins). Reads only counters, so it costs a fraction of a merge: the graph query uses
 * it to know up front which edges it may have to merge again after resolving peers.
 */
export function peerKeys(bodies: readonly (Uint8Array | null | undefined)[], accuracy: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const b of bodies) {
    if (!b || blockAccuracy(b) !== accuracy) continue;
    const r = new ByteReader(b);
    r.p = 9;
    const c = new SectionCursor(r);
    while (c.next()) {
      r.varint();
      r.varint();
      r.varint();
      r.varint();
      const peer = r.varint();
      if (peer !== 0) out.set(c.key, peer);
    }
  }
  return out;
}
