// Worker threads and child processes must load TypeScript sources the way their parent does.
import { Worker } from 'node:worker_threads';

/** execArgv for a child process: the parent's, plus `--import tsx` when it is not there. */
export function tsExecArgv(): string[] {
  const argv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--inspect'));
  const hasTsx = argv.some((a) => a.includes('tsx'));
  return hasTsx ? argv : [...argv, '--import', 'tsx'];
}

/** Starts a worker thread running the TypeScript module at `entry` with `data` as its workerData. */
export function startTsWorker(entry: URL, data: object): Worker {
  return new Worker(new URL('./ts-worker-boot.mjs', import.meta.url), {
    workerData: { ...data, __entry: entry.href },
    // The loader is registered by the boot file; the parent's loader flags would fail in a worker.
    execArgv: process.execArgv.filter((a) => !a.includes('tsx') && a !== '--import' && a !== '--require'),
  });
}
