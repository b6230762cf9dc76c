// Runs a collector in a child process, so ingest never shares an event loop (or a CPU-bound
// decode) with its caller, e.g. the dashboard under `faultline serve`.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CollectorOptions, RunningCollector } from './index.ts';
import { collectorEnv, tsExecArgv, withCollectorFlags } from '../lib/runtime/workers.ts';

export interface ForkedCollector extends RunningCollector {
  /** The child's process id (for RSS sampling and signals). */
  pid: number;
}

export function forkCollector(opts: CollectorOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<ForkedCollector> {
  const child = fork(fileURLToPath(new URL('./child.ts', import.meta.url)), [], {
    execArgv: withCollectorFlags(tsExecArgv()),
    env: { ...collectorEnv(env), FAULTLINE_COLLECTOR_OPTIONS: JSON.stringify(opts) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('error', () => {});
  return new Promise((resolve, reject) => {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.once('exit', (code) => reject(new Error(`collector process exited with code ${code} before listening`)));
    child.on('message', (m: { type: string; port?: number; url?: string; message?: string }) => {
      if (m.type === 'error') reject(new Error(m.message));
      if (m.type === 'listening' && m.port !== undefined && m.url !== undefined) {
        resolve({
          port: m.port,
          url: m.url,
          pid: child.pid ?? -1,
          async close() {
            if (child.exitCode !== null || child.signalCode !== null) return;
            // The child may already be dying (killed from outside): a failed send is fine, the
            // exit below is what we wait for.
            if (child.connected) child.send({ type: 'close' }, () => {});
            const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
            await exited;
            clearTimeout(timer);
          },
        });
      }
    });
  });
}
