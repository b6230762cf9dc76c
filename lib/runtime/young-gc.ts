// Request bodies reach the HTTP thread as socket chunks: ArrayBuffers outside the V8 heap that
// are dead once the body is copied out for a writer. V8 frees them when it collects its young
// generation, and the HTTP thread allocates so few JS objects per request that this came seldom:
// in bench:ingest its dead chunks held 24–33 MB of malloc at max load (V8 steps in on its own
// only past ~64 MB of external growth). With `--expose-gc` (COLLECTOR_NODE_FLAGS) the thread
// collects its young generation after every YOUNG_GC_BODY_BYTES of bodies it read.
//
// Measured in bench:ingest: the HTTP thread's external memory at the ends of the max and half
// load phases 6–10 MB against 24–33 MB, at the same throughput and CPU per span.

/** Bodies read between two young-generation collections (at 190k spans/s, about 7 a second). */
export const YOUNG_GC_BODY_BYTES = 8 * 1024 * 1024;

type Gc = (opts: { type: 'minor' }) => void;
const gc = (globalThis as { gc?: Gc }).gc;

let sinceLast = 0;

/** Counts `bytes` of request body read (and dropped) on this thread; collects when due. */
export function bodyBytesRead(bytes: number): void {
  if (gc === undefined) return;
  sinceLast += bytes;
  if (sinceLast < YOUNG_GC_BODY_BYTES) return;
  sinceLast = 0;
  gc({ type: 'minor' });
}
