// The live analyzer on its own thread and connection (lib/live): every second it folds the spans
// committed since its cursor into the per-minute rollups, so graph and RED stay fresh without
// touching the HTTP thread, the writer thread or the dashboard's event loop.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { LiveAnalyzer, type LiveAnalyzerOptions } from '../lib/live/analyzer.ts';
import { heapFigures } from '../lib/runtime/heap.ts';
import { BackgroundPriority } from '../lib/runtime/priority.ts';
import { FeedGate } from './feed-gate.ts';
import type { FromLive, ToLive } from './live.ts';

const port = parentPort;
if (port === null) throw new Error('live-worker must run as a worker thread');
const opts = workerData as LiveAnalyzerOptions & { intervalMs: number; feedInFlight?: Int32Array; feedGate?: SharedArrayBuffer };
const gate = opts.feedGate ? new FeedGate(opts.feedGate) : undefined;

// Ingest first: under overload this thread gets the CPU the writers leave, except while it
// holds the write lock (runtime/priority.ts).
const priority = new BackgroundPriority();

let analyzer: LiveAnalyzer | undefined;
let timer: NodeJS.Timeout | undefined;
let closing = false;

/** Fed spans that came while the analyzer could not be opened (storage has them). */
let droppedUnopened = 0;

function handle(msg: ToLive): void {
  if (msg.type !== 'feed') {
    closing = true;
    return;
  }
  if (opts.feedInFlight) Atomics.sub(opts.feedInFlight, 0, msg.group.n);
  if (analyzer) analyzer.feed(msg.group);
  else droppedUnopened += msg.group.n;
}

// Messages wait in the port while a pass runs; the pass takes the fed groups between chunks,
// and tells the writers whether to go on packing them.
function drain(): void {
  for (let m = receiveMessageOnPort(port!); m !== undefined; m = receiveMessageOnPort(port!)) handle(m.message as ToLive);
  if (analyzer) gate?.set(analyzer.feedWanted);
}

function tick(): void {
  timer = undefined;
  if (closing) return close();
  let behind = false;
  try {
    analyzer ??= new LiveAnalyzer({ ...opts, foreground: (f) => priority.foreground(f), drain });
    const r = analyzer.catchUp(() => Date.now(), Math.max(100, opts.intervalMs - 100));
    behind = r.leader && r.behind > 0;
    gate?.set(analyzer.feedWanted);
    port!.postMessage({ type: 'pass', ...r, feedDropped: r.feedDropped + droppedUnopened, ...heapFigures() } satisfies FromLive);
  } catch (err) {
    // A busy or briefly unavailable database: the cursor did not move, the next tick retries.
    port!.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies FromLive);
  }
  if (closing) return close();
  // Behind (ingest outran the time budget): go on at once, after the close message had its
  // chance to arrive; caught up: wait for more spans.
  timer = setTimeout(tick, behind ? 0 : opts.intervalMs);
}

let closed = false;

function close(): void {
  if (closed) return;
  closed = true;
  if (timer) clearTimeout(timer);
  timer = undefined;
  try {
    analyzer?.close();
  } finally {
    port!.postMessage({ type: 'closed' } satisfies FromLive);
    port!.close();
  }
}

port.on('message', (msg: ToLive) => {
  handle(msg);
  if (closing) close();
});

tick();
