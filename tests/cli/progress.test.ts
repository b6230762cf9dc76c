import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/io.ts';
import { formatBytes, ImportProgress } from '../../cli/progress.ts';

function fakeIo(tty: boolean, columns = 120): CliIo & { written: string[] } {
  const written: string[] = [];
  return { written, out: () => undefined, err: (t) => void written.push(t), errIsTTY: tty, columns };
}

describe('import progress', () => {
  it('on a terminal: one line redrawn in place, at most every 100 ms, with bytes, percent and spans/s', () => {
    let now = 0;
    const io = fakeIo(true);
    const p = new ImportProgress(io, () => now);
    p.startFile();
    now = 50;
    p.update('big.jsonl', 512 * 1024, 2 * 1024 * 1024, 10_000);
    expect(io.written).toEqual([]);
    now = 1000;
    p.update('big.jsonl', 1024 * 1024, 2 * 1024 * 1024, 20_000);
    expect(io.written).toEqual(['\r\x1b[Kbig.jsonl [############------------]  50% 1.0 MiB / 2.0 MiB  20,000 spans  20,000 spans/s']);
    now = 1050;
    p.update('big.jsonl', 2 * 1024 * 1024, 2 * 1024 * 1024, 40_000);
    expect(io.written).toHaveLength(1);
    p.clear();
    expect(io.written.at(-1)).toBe('\r\x1b[K');
  });

  it('never wider than the terminal', () => {
    let now = 0;
    const io = fakeIo(true, 40);
    const p = new ImportProgress(io, () => now);
    now = 200;
    p.update('a-very-long-file-name-indeed.jsonl', 1, 2, 3);
    expect(io.written[0].replace('\r\x1b[K', '').length).toBeLessThanOrEqual(39);
  });

  it('without a terminal: a plain line every 5 s, no carriage returns, nothing to clear', () => {
    let now = 0;
    const io = fakeIo(false);
    const p = new ImportProgress(io, () => now);
    p.startFile();
    now = 4000;
    p.update('x.json', 10, 100, 5);
    expect(io.written).toEqual([]);
    now = 5000;
    p.update('x.json', 50, 100, 500);
    expect(io.written).toEqual(['import: x.json: 50% (50 B / 100 B), 500 spans, 100 spans/s\n']);
    p.clear();
    expect(io.written).toHaveLength(1);
  });

  it('formats sizes in binary units', () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 * 1024), formatBytes(3 * 1024 ** 3)]).toEqual(['512 B', '1.5 KiB', '5.0 MiB', '3.00 GiB']);
  });
});
