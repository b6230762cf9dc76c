// Background threads (the live analyzer, retention and checkpoints) run at a lower CPU
// priority than ingest. On a busy machine the scheduler then gives the writers the CPU first —
// a 200 must not wait for analytics — and the analyzer uses what is left: it falls behind
// under overload and catches up as soon as there is spare CPU. On Linux a thread has its own
// nice value, set through its thread id.
import { readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value of background threads. */
export const BACKGROUND_NICE = 10;

/** The kernel's id of the calling thread, or undefined where /proc does not say (not Linux). */
export function currentThreadId(): number | undefined {
  try {
    // "PID/task/TID"
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sets the calling thread's nice value (higher is lower priority; 10 gets about a tenth of the
 * CPU a nice-0 thread gets when both want it). Returns false where that is not possible; the
 * thread then simply runs at normal priority.
 */
export function niceThisThread(nice: number): boolean {
  const tid = currentThreadId();
  if (tid === undefined) return false;
  try {
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

/** The calling thread's nice value as the kernel reports it, or undefined. */
export function threadNice(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the parenthesised command name; nice is field 19 overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[16]);
  } catch {
    return undefined;
  }
}
