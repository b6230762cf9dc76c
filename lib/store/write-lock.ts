// An in-process, cross-thread lock in front of SQLite's write lock. SQLite lets one connection
// write at a time; a second one that finds the lock taken sleeps in its busy handler in steps
// of 1–100 ms, so two threads of one process that both write (writers, the live analyzer,
// retention) would add those sleeps to request latency. Threads that share this lock queue
// in FIFO order instead and wake the moment the holder releases it.
//
// The lock only orders writers; it never replaces SQLite's locking, which still guards
// correctness (other processes, or a waiter that gave up on a holder that died).
const NEXT = 0;
const SERVING = 1;

export interface WriteLockOptions {
  /**
   * How long a waiter waits without the queue moving before it assumes the holder died with
   * the lock (a thread that crashed mid-transaction) and takes its turn anyway.
   */
  staleMs?: number;
}

export class WriteLock {
  private readonly cells: Int32Array;
  private readonly staleMs: number;
  private held = 0;

  /** Pass the same buffer to every thread that writes the database (through workerData). */
  constructor(
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8),
    opts: WriteLockOptions = {},
  ) {
    this.cells = new Int32Array(buffer);
    this.staleMs = opts.staleMs ?? 10_000;
  }

  /** Blocks this thread until it is its turn. Re-entrant within one thread. */
  acquire(): void {
    if (this.held++ > 0) return;
    const ticket = Atomics.add(this.cells, NEXT, 1);
    for (;;) {
      const serving = Atomics.load(this.cells, SERVING);
      if (serving === ticket) return;
      if (Atomics.wait(this.cells, SERVING, serving, this.staleMs) === 'timed-out') {
        // Nobody released in staleMs: take the turn of the holder that is gone.
        Atomics.compareExchange(this.cells, SERVING, serving, serving + 1);
      }
    }
  }

  /**
   * Takes the lock only if nobody holds it or waits for it; never blocks. A writer thread uses
   * it to go on decoding requests that arrive while another thread commits, and joins the
   * queue (acquire) once it has nothing else to do.
   */
  tryAcquire(): boolean {
    if (this.held > 0) {
      this.held++;
      return true;
    }
    const serving = Atomics.load(this.cells, SERVING);
    // NEXT equal to SERVING: no holder, no waiter. Taking that ticket makes it ours at once.
    if (Atomics.compareExchange(this.cells, NEXT, serving, serving + 1) !== serving) return false;
    this.held = 1;
    return true;
  }

  release(): void {
    if (this.held === 0) throw new Error('WriteLock.release without acquire');
    if (--this.held > 0) return;
    Atomics.add(this.cells, SERVING, 1);
    Atomics.notify(this.cells, SERVING);
  }

  /** Runs `f` holding the lock. */
  with<T>(f: () => T): T {
    this.acquire();
    try {
      return f();
    } finally {
      this.release();
    }
  }
}
