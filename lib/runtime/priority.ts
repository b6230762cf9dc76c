// Background threads (the live analyzer, retention and checkpoints) run at a lower CPU
// priority than ingest. On a busy machine the scheduler then gives the writers the CPU first —
// a 200 must not wait for analytics — and the analyzer uses what is left: it falls behind
// under overload and catches up as soon as there is spare CPU. On Linux a thread has its own
// nice value, set through its thread id.
//
// A background thread that holds the write lock must not run at low priority: preempted by
// anything else on the machine, it would keep every writer waiting (priority inversion,
// measured: 110 ms lock holds for 8 ms of work). So it returns to normal priority, or above it
// (HOLDER_NICE), for the time it writes, and is only lowered at all where it can come back (root
// or CAP_SYS_NICE: an ordinary user may raise its nice value but not lower it again).
import { readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value of background threads. */
export const BACKGROUND_NICE = 10;

/**
 * The nice value of a background thread while it holds the write lock, where the kernel allows
 * it (root or CAP_SYS_NICE; else normal priority). At normal priority the analyzer, holding the
 * lock, queued for the CPU behind the HTTP thread and the writer decoding its next group: the
 * kernel's schedstat showed up to 20–32 ms of a flush spent runnable but waiting, while every
 * writer waited for the lock. Above them, the holder finishes first (bench:ingest, one run each:
 * longest analyzer hold 54 → 35 ms, holds over 15 ms 50 → 26).
 */
export const HOLDER_NICE = -5;

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

/**
 * A thread at background priority that returns to normal priority while it writes, or above
 * it (HOLDER_NICE) where the kernel allows.
 */
export class BackgroundPriority {
  readonly enabled: boolean;
  /** The nice value foreground work runs at. */
  readonly holderNice: number;
  private readonly tid: number | undefined;

  constructor(private readonly nice = BACKGROUND_NICE) {
    this.tid = currentThreadId();
    this.enabled = this.tid !== undefined && this.set(0) && this.set(nice);
    if (!this.enabled && this.tid !== undefined) this.set(0);
    this.holderNice = this.enabled && this.set(HOLDER_NICE) ? HOLDER_NICE : 0;
    if (this.enabled) this.set(nice);
  }

  /** Runs `f` at normal priority or above (for work that holds the write lock). */
  foreground<T>(f: () => T): T {
    if (!this.enabled) return f();
    this.set(this.holderNice);
    try {
      return f();
    } finally {
      this.set(this.nice);
    }
  }

  private set(nice: number): boolean {
    try {
      setPriority(this.tid!, nice);
      return true;
    } catch {
      return false;
    }
  }
}
