// OTLP JSON-lines files read in pieces by several reader threads (the path big CI files take)
// give exactly what one straight read gives: spans in file order, rejection counts and `line N`
// reasons, format; and anything that is not plain JSON-lines falls back to the straight read,
// with its exact errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Span } from '../../lib/model/index.ts';
import { decodeJsonLinesChunk } from '../../lib/otlp/json-lines-chunk.ts';
import { analyzeFiles, type AnalyzeFilesOptions, type AnalyzeFilesResult } from '../../lib/report/io/files.ts';
import { CLEAN, PLANTED } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-pieces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = { rules: {}, architecture: { forbid: [], ownership: [] } };
const planted = readFileSync(PLANTED, 'utf8').split('\n').filter((l) => l !== '');

function file(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const straight = (files: string[]) => analyzeFiles(files, { now: 0, config, readerThread: 'never' });
const inPieces = (files: string[], extra: Partial<AnalyzeFilesOptions> = {}) => analyzeFiles(files, { now: 0, config, readerThread: 'always', readers: 2, pieceBytes: 4096, ...extra });

function same(a: AnalyzeFilesResult, b: AnalyzeFilesResult): void {
  expect(b.inputs).toEqual(a.inputs);
  expect(b.rejections).toEqual(a.rejections);
  expect(b.analysis.spans).toBe(a.analysis.spans);
  expect(b.analysis.traces).toBe(a.analysis.traces);
  expect(b.analysis.findings.findings).toEqual(a.analysis.findings.findings);
  expect(b.analysis.graph).toEqual(a.analysis.graph);
  expect(b.analysis.services).toEqual(a.analysis.services);
}

describe('JSON-lines in pieces on reader threads', () => {
  it('small pieces (many per file, lines longer than a piece) on two readers: the same analysis as one straight read', async () => {
    const a = await straight([PLANTED, CLEAN]);
    const b = await inPieces([PLANTED, CLEAN]);
    same(a, b);
    expect(a.howRead).toEqual(['in-thread', 'in-thread']);
    expect(b.howRead).toEqual(['pieces', 'pieces']);
    expect(b.inputs.map((i) => i.format)).toEqual(['otlp-json-lines', 'otlp-json-lines']);
    expect(b.analysis.spans).toBe(640);
  });

  it('one reader, and pieces bigger than the file, give it too', async () => {
    const a = await straight([PLANTED]);
    for (const b of [await inPieces([PLANTED], { readers: 1 }), await inPieces([PLANTED], { pieceBytes: 1 << 24 })]) {
      same(a, b);
      expect(b.howRead).toEqual(['pieces']);
    }
  });

  it('a byte-order mark, CRLF line ends, blank lines and no final newline', async () => {
    const text = '\uFEFF' + planted.slice(0, 6).join('\r\n') + '\r\n\r\n   \r\n' + planted.slice(6).join('\n');
    const f = file('quirks.jsonl', text);
    const a = await straight([f]);
    expect(a.analysis.spans).toBe(500);
    const b = await inPieces([f]);
    same(a, b);
    expect(b.howRead).toEqual(['pieces']);
  });

  it('rejected spans: the same count and the same `line N` reasons', async () => {
    const bad = planted.map((l, i) => (i === 3 || i === 11 ? l.replace(/"spanId":"[0-9a-f]{16}"/, '"spanId":"xyz"') : l));
    const f = file('rejects.jsonl', bad.join('\n') + '\n');
    const a = await straight([f]);
    expect(a.inputs[0].rejected).toBe(2);
    expect(a.rejections).toEqual([`${f}: line 4: span id is not hex: "xyz"`, `${f}: line 12: span id is not hex: "xyz"`]);
    const b = await inPieces([f]);
    same(a, b);
    expect(b.howRead).toEqual(['pieces']);
  });

  it('a pretty-printed request in the middle: read straight instead, same result', async () => {
    const mixed = [...planted.slice(0, 10), JSON.stringify(JSON.parse(planted[10]), null, 2), ...planted.slice(11)].join('\n');
    const f = file('mixed.jsonl', mixed);
    const a = await straight([f]);
    expect(a.analysis.spans).toBe(500);
    const b = await inPieces([CLEAN, f]);
    same(await straight([CLEAN, f]), b);
    // The second file was not plain: the whole run started over, every file read whole.
    expect(b.howRead).toEqual(['whole', 'whole']);
  });

  it('pretty-printed OTLP JSON is read whole by one reader, with the same result', async () => {
    const f = file('pretty.json', JSON.stringify(JSON.parse(planted[0]), null, 2));
    const a = await straight([f]);
    const b = await inPieces([f]);
    same(a, b);
    expect(b.howRead).toEqual(['whole']);
    expect(b.inputs[0].format).toBe('otlp-json');
  });

  it('a truncated last line and an invalid line are the same input errors, with their positions', async () => {
    const cut = file('cut.jsonl', planted.join('\n').slice(0, -40));
    const broken = file('broken.jsonl', [...planted.slice(0, 7), '{"resourceSpans": [ }', ...planted.slice(8)].join('\n'));
    for (const f of [cut, broken]) {
      const a = await straight([f]).catch((e: Error) => e);
      const b = await inPieces([CLEAN, f]).catch((e: Error) => e);
      expect(a).toBeInstanceOf(Error);
      expect((b as Error).name).toBe('InputError');
      expect((b as Error).message).toBe((a as Error).message);
    }
    expect(((await inPieces([broken]).catch((e: Error) => e)) as Error).message).toMatch(/broken\.jsonl:8:\d+: /);
  });

  it('a file of metrics lines or of blank lines keeps its precise error', async () => {
    const metrics = file('metrics.jsonl', '{"resourceMetrics":[]}\n{"resourceMetrics":[]}\n');
    const blank = file('blank.jsonl', '\n  \n\n');
    for (const f of [metrics, blank]) {
      const a = (await straight([f]).catch((e: Error) => e)) as Error;
      const b = (await inPieces([f]).catch((e: Error) => e)) as Error;
      expect(a.name).toBe('InputError');
      expect(b.message).toBe(a.message);
    }
  });
});

describe('decodeJsonLinesChunk', () => {
  const decode = (text: string, firstLine = 1) => {
    const spans: Span[] = [];
    const r = decodeJsonLinesChunk(Buffer.from(text), firstLine, (s) => spans.push(...s));
    return { ...r, spans };
  };

  it('numbers lines from firstLine, skips blank ones, counts values', () => {
    const r = decode(`${planted[0]}\n\n${planted[1].replace(/"spanId":"[0-9a-f]{16}"/, '"spanId":""')}\n`, 41);
    expect(r.plain).toBe(true);
    expect(r.values).toBe(2);
    expect(r.rejected).toBe(1);
    expect(r.errors).toEqual(['line 43: span id must be 8 bytes (16 hex digits), got 0 hex digits']);
    expect(r.spans.length).toBeGreaterThan(20);
  });

  it('is not plain for anything but one OTLP trace request per line', () => {
    for (const text of ['[1,2]\n', '{"resourceMetrics":[]}\n', '{"resourceSpans":\n[]}\n', ' {"resourceSpans":[]}\n', '{"resourceSpans":[}\n', '{"a":1}']) {
      expect(decode(text).plain, text).toBe(false);
    }
    expect(decode('{"resourceSpans":[]}').plain).toBe(true);
  });
});
