// Where a command writes. Commands take this instead of touching process.stdout, so the
// output of a command is one value tests and wrappers can capture.
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress bars redraw in place, colour is allowed. */
  errIsTTY: boolean;
  /** Terminal width for progress lines. */
  columns: number;
}

export function processIo(): CliIo {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    errIsTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns || 80,
  };
}
