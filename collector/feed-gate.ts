// Whether the writers pack each commit's spans for the live analyzer (lib/live/feed.ts). The
// analyzer takes a fed group only while its cursor is within its feed queue's reach of it; far
// behind (after max load, or starved of CPU) every group was packed, posted through the HTTP
// thread and dropped there or in the analyzer: at 190k spans/s about 50 MB/s of ArrayBuffers
// through malloc, garbage the isolates held until their next full collection. The analyzer
// thread says when it is within reach; otherwise the writers skip the packing and count the
// spans as dropped (the analyzer reads them from storage, as it would have anyway).
export class FeedGate {
  /** 0: open (a new buffer starts open), 1: closed. */
  private readonly flag: Int32Array;
  private readonly skippedSpans: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(16)) {
    this.flag = new Int32Array(buffer, 0, 1);
    this.skippedSpans = new BigInt64Array(buffer, 8, 1);
  }

  get open(): boolean {
    return Atomics.load(this.flag, 0) === 0;
  }

  set(open: boolean): void {
    Atomics.store(this.flag, 0, open ? 0 : 1);
  }

  /** A writer left `spans` committed spans unpacked. */
  skip(spans: number): void {
    if (spans > 0) Atomics.add(this.skippedSpans, 0, BigInt(spans));
  }

  /** Spans the writers left unpacked, in all. */
  get skipped(): number {
    return Number(Atomics.load(this.skippedSpans, 0));
  }
}
