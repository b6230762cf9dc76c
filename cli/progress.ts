// Import progress on stderr: a bar redrawn in place on a terminal, plain periodic lines
// otherwise (CI logs must stay readable, and carriage returns garble them).
import type { CliIo } from './io.ts';

const TTY_INTERVAL_MS = 100;
const PLAIN_INTERVAL_MS = 5000;
const BAR_WIDTH = 24;

export class ImportProgress {
  private lastDraw = -Infinity;
  private drawn = false;
  private fileStart: number;

  constructor(
    private readonly io: CliIo,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.fileStart = now();
  }

  startFile(): void {
    this.fileStart = this.now();
    this.lastDraw = this.now();
  }

  update(file: string, bytesRead: number, totalBytes: number, spans: number): void {
    const t = this.now();
    const interval = this.io.errIsTTY ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS;
    if (t - this.lastDraw < interval) return;
    this.lastDraw = t;
    const seconds = Math.max((t - this.fileStart) / 1000, 0.001);
    const rate = Math.round(spans / seconds);
    const fraction = totalBytes > 0 ? Math.min(bytesRead / totalBytes, 1) : 1;
    const sizes = `${formatBytes(bytesRead)} / ${formatBytes(totalBytes)}`;
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    if (this.io.errIsTTY) {
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
      const line = `${file} ${bar} ${pct} ${sizes}  ${spans.toLocaleString('en-US')} spans  ${rate.toLocaleString('en-US')} spans/s`;
      this.io.err(`\r\x1b[K${line.slice(0, Math.max(this.io.columns - 1, 20))}`);
      this.drawn = true;
    } else {
      this.io.err(`import: ${file}: ${pct.trim()} (${sizes}), ${spans} spans, ${rate} spans/s\n`);
    }
  }

  /** Clears the bar so the summary starts on a clean line. */
  clear(): void {
    if (this.drawn) this.io.err('\r\x1b[K');
    this.drawn = false;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
