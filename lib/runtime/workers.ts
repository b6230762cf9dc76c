// Worker threads and child processes must load TypeScript sources the way their parent does.
import { availableParallelism } from 'node:os';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { defaultMigrationsDir } from '../store/migrate/apply.ts';
import { bundledEntry } from './bundle.ts';

/**
 * The young generation of the collector's busy threads (writers, live analyzer). They allocate
 * fast and keep little, and V8 sizes this space by the machine's memory (up to 48 MB per
 * thread here). A smaller one is scavenged more often: measured, the writers' CPU per span
 * changed within run-to-run noise and the analyzer's rose ~5%, while the collector's peak RSS
 * with the analyzer fell from 483 to 372 MB in bench:ingest.
 */
export const BUSY_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 16 };

/**
 * The writer threads' limits: besides the young generation, the old generation is capped at
 * 256 MB. A writer keeps little (statements, the trace-key map), but a group's decoded spans
 * are promoted while they wait for the write lock, and with no cap V8 sizes a heap by the
 * machine's memory and lets such garbage grow far before a full collection: 9 s into max load
 * the two writers' heaps held 94 MB (68 MB of it in use, most of it dead), then fell to 65 MB at
 * the first full collections. Capped, the collector's peak RSS in its first 12 s of max load was
 * 267 and 272 MB against 291, and bench:ingest's peak 281 MB against 296–310 in four runs without
 * the cap, at the same throughput for the machine (ratio to the raw limit 0.83; 0.53–0.71).
 * 256 MB leaves room for the largest request a writer takes: 20 MB of protobuf (65,024 spans)
 * is committed with ~62 MB of the heap in use after it (tests/collector/writer-heap.test.ts).
 * Their young generation is 8 MB, not 16: the two writers' heaps held 40–48 MB at the ends of
 * bench:ingest's phases against 56–63 MB, at the same throughput and CPU per span (the live
 * analyzer at 8 MB caught up ~17% slower, so it keeps 16).
 */
export const WRITER_THREAD_LIMITS: ResourceLimits = { ...BUSY_THREAD_LIMITS, maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 };

/**
 * The live analyzer's limits: besides the young generation, its old generation is capped at
 * 128 MB. What it keeps is small (23 MB catching up 1.5M spans, plus up to 24 MB for 200,000
 * pending clients, its bound; 84 MB before they were kept in columns, lib/live/pending.ts), but its decoded spans are promoted before they die, and without
 * a cap V8 let that garbage pile up to 122 MB of heap before collecting it. With the cap the
 * heap stayed at 66 MB for the same work, CPU per span within noise (an analyzer thread catching
 * up 1.5M stored spans: 10.96 vs 11.10 µs/span). A 64 MB cap saved only ~10 MB more of the
 * collector's peak RSS and would have left no room for a full pending set as it was then kept (objects, 84 MB). Past the cap the thread
 * ends and is started again (collector/live.ts); its cursor waits in the database.
 */
export const LIVE_THREAD_LIMITS: ResourceLimits = { ...BUSY_THREAD_LIMITS, maxOldGenerationSizeMb: 128 };

/** execArgv for a child process: the parent's, plus `--import tsx` when it is not there. */
export function tsExecArgv(): string[] {
  const argv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--inspect'));
  const hasTsx = argv.some((a) => a.includes('tsx'));
  return hasTsx ? argv : [...argv, '--import', 'tsx'];
}

/**
 * V8 flags of a collector process. `--single-threaded-gc`: each isolate collects its garbage on
 * its own thread. By default V8 hands marking and sweeping to helper threads shared by the whole
 * process and running at normal priority, so the analyzer's garbage was collected at the
 * writers' priority, beside them, whatever the analyzer's own nice value. bench:ingest with the
 * analyzer on, p99 per batch at 50k spans/s: 17.9–33.6 ms in six runs with it (median 27)
 * against 26.1–51.7 ms in eight without (median 38) within the same two hours, throughput within
 * noise; without the analyzer, an interleaved pair: 17.0 ms with it, 17.3 ms without.
 * `--expose-gc`: the HTTP thread collects its young generation after every few MB of request
 * bodies, so their dead socket chunks are freed (young-gc.ts).
 */
export const COLLECTOR_NODE_FLAGS = ['--single-threaded-gc', '--expose-gc'] as const;

/** `argv` (a child's execArgv) with the collector's flags it does not have yet. */
export function withCollectorFlags(argv: string[]): string[] {
  return [...argv, ...COLLECTOR_NODE_FLAGS.filter((f) => !argv.includes(f))];
}

/**
 * The environment of a collector process: glibc's malloc arenas capped at one per core
 * (MALLOC_ARENA_MAX), unless the caller set it. glibc gives each allocating thread an arena
 * of its own, up to eight per core, and an arena keeps the pages freed into it; the
 * collector's threads free buffers other threads allocated (request bodies, transferred feed
 * groups), so each arena ends up holding its own free pages. With one arena per core, threads
 * seldom wait for one: no more of them run at once. bench:ingest with the analyzer on: peak
 * RSS 302–326 MB (anonymous 251–269) in four runs, 342 MB (289) in one run without, the same
 * hour; throughput within the machine's noise. An open-loop probe at 50k spans/s after 2M
 * spans: peak 344–361 MB in three runs without, 316–318 in two with.
 */
export function collectorEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.MALLOC_ARENA_MAX !== undefined) return env;
  return { ...env, MALLOC_ARENA_MAX: String(Math.max(2, availableParallelism())) };
}

/** Per-process V8 flags: a worker inherits their effect and refuses them in its execArgv. */
const PROCESS_ONLY_FLAGS = new Set<string>(COLLECTOR_NODE_FLAGS);

/** The parent's flags without its loader flags and per-process V8 flags, which would fail in a worker. */
function workerExecArgv(): string[] {
  return process.execArgv.filter((a) => !a.includes('tsx') && a !== '--import' && a !== '--require' && !PROCESS_ONLY_FLAGS.has(a));
}

/**
 * Starts a worker thread running the TypeScript module at `entry` with `data` as its
 * workerData: from a cached JavaScript bundle (bundle.ts), else through the tsx loader.
 */
export function startTsWorker(entry: URL, data: object, resourceLimits?: ResourceLimits): Worker {
  const bundle = bundledEntry(entry);
  if (bundle !== undefined) {
    return new Worker(bundle, {
      workerData: data,
      resourceLimits,
      execArgv: workerExecArgv(),
      // The bundle sits outside the source tree: tell lib/store where the migrations are.
      env: { ...process.env, FAULTLINE_MIGRATIONS_DIR: defaultMigrationsDir() },
    });
  }
  return new Worker(new URL('./ts-worker-boot.mjs', import.meta.url), {
    workerData: { ...data, __entry: entry.href },
    resourceLimits,
    // The loader is registered by the boot file.
    execArgv: workerExecArgv(),
  });
}
