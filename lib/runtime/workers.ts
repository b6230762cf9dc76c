// Worker threads and child processes must load TypeScript sources the way their parent does.
import { Worker } from 'node:worker_threads';
import { defaultMigrationsDir } from '../store/migrate/apply.ts';
import { bundledEntry } from './bundle.ts';

/** execArgv for a child process: the parent's, plus `--import tsx` when it is not there. */
export function tsExecArgv(): string[] {
  const argv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--inspect'));
  const hasTsx = argv.some((a) => a.includes('tsx'));
  return hasTsx ? argv : [...argv, '--import', 'tsx'];
}

/**
 * Starts a worker thread running the TypeScript module at `entry` with `data` as its
 * workerData: from a cached JavaScript bundle (bundle.ts), else through the tsx loader.
 */
export function startTsWorker(entry: URL, data: object): Worker {
  const bundle = bundledEntry(entry);
  if (bundle !== undefined) {
    return new Worker(bundle, {
      workerData: data,
      execArgv: process.execArgv.filter((a) => !a.includes('tsx') && a !== '--import' && a !== '--require'),
      // The bundle sits outside the source tree: tell lib/store where the migrations are.
      env: { ...process.env, FAULTLINE_MIGRATIONS_DIR: defaultMigrationsDir() },
    });
  }
  return new Worker(new URL('./ts-worker-boot.mjs', import.meta.url), {
    workerData: { ...data, __entry: entry.href },
    // The loader is registered by the boot file; the parent's loader flags would fail in a worker.
    execArgv: process.execArgv.filter((a) => !a.includes('tsx') && a !== '--import' && a !== '--require'),
  });
}
