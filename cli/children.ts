// Child processes of `faultline serve`. Each runs in its own process group so stopping it also
// stops what it spawned (next dev and next start fork workers), and nothing outlives serve.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Child {
  name: string;
  proc: ChildProcess;
  /** Resolves with the exit code (or 128 + signal number style code) when the process ends. */
  exited: Promise<number>;
}

const live = new Set<Child>();
let exitHookInstalled = false;

export function startChild(name: string, command: string, args: string[], options: SpawnOptions): Child {
  const proc = spawn(command, args, { ...options, detached: true });
  const exited = new Promise<number>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
    proc.once('error', () => resolve(127));
  });
  const child: Child = { name, proc, exited };
  live.add(child);
  void exited.then(() => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort if serve itself dies: never leave a child holding a port.
    process.once('exit', () => {
      for (const c of live) killGroup(c, 'SIGKILL');
    });
  }
  return child;
}

/** SIGTERM to the child's process group, SIGKILL after `graceMs` if it is still there. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<number> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return child.exited;
  killGroup(child, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      resolve(137);
    }, graceMs);
  });
  const code = await Promise.race([child.exited, killed]);
  clearTimeout(timer);
  // The leader may be gone while workers linger: clear the group either way.
  killGroup(child, 'SIGKILL');
  return code;
}

function killGroup(child: Child, signal: NodeJS.Signals): void {
  const pid = child.proc.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0;
}

/** Forwards a child's output line by line with a prefix, so interleaved logs stay readable. */
export function prefixLines(stream: NodeJS.ReadableStream | null | undefined, prefix: string, write: (text: string) => void): void {
  if (!stream) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const text = rest + chunk;
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) write(`${prefix}${line}\n`);
  });
  stream.on('end', () => {
    if (rest) write(`${prefix}${rest}\n`);
  });
}
