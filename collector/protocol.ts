// Messages between the HTTP thread and the writer thread. Request bodies cross as transferred
// ArrayBuffers (zero copy) and are decoded in the writer: decoding costs the writer less than
// deserializing a structured clone of the decoded spans would (measured: v8 deserialize of 512
// decoded spans ≈ 4 µs/span, protobuf decode ≈ 3 µs/span), and it keeps the HTTP thread free.
import type { FedGroup } from '../lib/live/feed.ts';
import type { Signal } from './metrics.ts';

export type Encoding = 'protobuf' | 'json';

/**
 * With checkpoints on the maintenance thread, a connection that writes checkpoints on its own
 * only past this many WAL pages: a safety net for a WAL that grows while that thread is away.
 */
export const WAL_SAFETY_PAGES = 50_000;

export interface WriterOptions {
  dbUrl?: string;
  /** A group commit holds at most about this many items. */
  maxGroupItems: number;
  /** The WriteLock buffer shared by every thread of the collector that writes. */
  writeLock?: SharedArrayBuffer;
  /** The retention thread checkpoints the WAL; writers then never checkpoint inside a commit. */
  checkpointInBackground?: boolean;
  /** SQLite page cache per writer connection, KiB. */
  cacheKiB?: number;
  /** Hand each commit's spans to the live analyzer (lib/live/feed.ts). */
  feed?: boolean;
  /** FeedGate's buffer: while the analyzer is out of reach, commits are counted instead of packed (feed-gate.ts). */
  feedGate?: SharedArrayBuffer;
}

export interface WriteRequest {
  type: 'write';
  id: number;
  signal: Signal;
  encoding: Encoding;
  body: Uint8Array;
}

export type WriteOutcome =
  | { id: number; kind: 'stored'; items: number; rejected: number; errors: string[] }
  /** The payload itself is malformed: answer 400. Nothing stored. */
  | { id: number; kind: 'invalid'; message: string }
  /** The write failed; `transient` says whether a retry may succeed (503) or not (500). */
  | { id: number; kind: 'failed'; transient: boolean; message: string; items: number };

export interface GroupStats {
  ms: number;
  items: number;
  duplicates: Record<Signal, number>;
  /** The writer isolate's V8 heap in use, for /metrics. */
  heapUsedBytes: number;
  heapPhysicalBytes: number;
  externalBytes: number;
}

export type FromWriter =
  | { type: 'ready' }
  | { type: 'open-failed'; message: string }
  | { type: 'done'; outcomes: WriteOutcome[]; stats: GroupStats | null }
  /** A commit's spans for the live analyzer; its buffer is transferred. */
  | { type: 'feed'; group: FedGroup }
  | { type: 'closed' };

export type ToWriter = WriteRequest | { type: 'close' };

export interface RetentionOptions {
  dbUrl?: string;
  /** 0: no retention sweeps (the thread still checkpoints). */
  retentionMs: number;
  intervalMs: number;
  chunkSize: number;
  writeLock?: SharedArrayBuffer;
  /** How often to copy the WAL into the database (PASSIVE: never waits for a writer). */
  checkpointIntervalMs?: number;
  /** WAL pages past which a checkpoint completes under the write lock so the WAL starts over. */
  walResetPages?: number;
  /** How often to bring the trace-id index file up to date (lib/store/sqlite/trace-index.ts). */
  traceIndexIntervalMs: number;
}

export type FromRetention =
  | { type: 'deleted'; rows: number }
  | { type: 'error'; message: string }
  /** After each checkpoint: WAL pages left, and whether this one started the WAL over. */
  | { type: 'wal'; pages: number; reset: boolean }
  /** After each indexing pass: trace ids it indexed, and trace rows still not indexed. */
  | { type: 'traceIndex'; indexed: number; behind: number };
