// A file that cannot be read as a trace fails with a message naming the file and, for JSON
// problems, the exact line and column (1-based).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NOT_A_TRACE, TraceFileError, readTraceFile } from '../../lib/otlp/files.ts';
import { sdkTrace } from './otel-sdk-json.ts';
import { readAll, readError, tempDir } from './helpers.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('trace files that cannot be read', () => {
  it('missing file', async () => {
    const p = join(tmp.dir, 'nope.json');
    expect(await readError(p)).toBe(`${p}: no such file`);
  });

  it('a directory', async () => {
    const d = join(tmp.dir, 'a-dir');
    mkdirSync(d);
    expect(await readError(d)).toBe(`${d}: is a directory, not a trace file`);
  });

  it('empty file', async () => {
    const p = tmp.file('empty.json', '');
    expect(await readError(p)).toBe(`${p}: is empty: expected OTLP JSON, JSON-lines, Zipkin v2 JSON or Jaeger JSON`);
  });

  it('only whitespace', async () => {
    const p = tmp.file('blank.json', ' \n\n  \n');
    expect(await readError(p)).toMatch(/blank\.json: contains no JSON \(only whitespace\)/);
  });

  it('truncated JSON: the position where the file ends', async () => {
    const p = tmp.file('truncated.json', '[\n  {"traceId": "1e22');
    expect(await readError(p)).toBe(`${p}:2:20: unexpected end of file: a value is cut off (truncated JSON?)`);
  });

  it('truncated after a complete element: the array is not closed', async () => {
    const p = tmp.file('unclosed.json', '[{"traceId":"1e223ff1f80f1c69","id":"74280ae0c10d8062","timestamp":1,"duration":1},\n');
    expect(await readError(p)).toBe(`${p}:2:1: unexpected end of file: an array is not closed (truncated JSON?)`);
  });

  it('truncated JSON-lines: every complete line before it is still read', async () => {
    const t = sdkTrace();
    const p = tmp.file('cut.jsonl', `${t.json}\n${t.json}\n${t.json.slice(0, 100)}`);
    const spans: number[] = [];
    let error: unknown;
    try {
      for await (const b of readTraceFile(p, { batchSize: 1 })) spans.push(b.spans.length);
    } catch (e) {
      error = e;
    }
    expect(spans.reduce((a, b) => a + b, 0)).toBe(8);
    expect(error).toBeInstanceOf(TraceFileError);
    const e = error as TraceFileError;
    expect([e.file, e.line, e.column]).toEqual([p, 3, 101]);
    expect(e.message).toBe(`${p}:3:101: unexpected end of file: a value is cut off (truncated JSON?)`);
  });

  it('invalid JSON inside an element: the exact character', async () => {
    const text = '[\n  {"traceId": "1e223ff1f80f1c69",\n   "id": "74280ae0c10d8062",, "name": "x"}\n]';
    const p = tmp.file('double-comma.json', text);
    // Line 3 is `   "id": "74280ae0c10d8062",, "name": "x"}`: the second comma is column 29.
    expect(await readError(p)).toBe(`${p}:3:29: expected a string key, found character ","`);
  });

  it('invalid JSON between members of the top-level object', async () => {
    const p = tmp.file('missing-comma.json', '{"resourceSpans": []\n "x": 1}');
    expect(await readError(p)).toBe(`${p}:2:2: expected ',' or '}' after a member, found "\\""`);
  });

  it('a raw line break inside a string', async () => {
    const p = tmp.file('newline.json', '[{"traceId": "1e22\n3ff"}]');
    expect(await readError(p)).toBe(`${p}:1:19: line break inside a string`);
  });

  it('not JSON at all', async () => {
    const p = tmp.file('notes.txt', 'hello world\n');
    expect(await readError(p)).toBe(`${p}:1:1: expected a value, found character "h"`);
  });

  it('garbage after a complete document', async () => {
    const p = tmp.file('trailing.json', '[]\n]');
    expect(await readError(p)).toBe(`${p}:2:1: expected a value, found "]"`);
  });

  it.each([
    ['object.json', '{"hello": "world", "n": 1}', '1:1', 'found an object with keys hello, n'],
    ['numbers.json', '[1, 2, 3]', '1:2', 'element 0 is a number 1'],
    ['string.json', '\n  "just text"', '2:3', 'found a string "just text"'],
    ['other-data.json', '{"data": [{"id": 1}]}', '1:11', 'data[] holds an object with keys id, not Jaeger traces'],
    ['empty-object.json', '{}', '1:1', 'found an empty object'],
  ])('JSON that is not a trace: %s', async (name, text, at, found) => {
    const p = tmp.file(name, text);
    expect(await readError(p)).toBe(`${p}:${at}: ${name} ${NOT_A_TRACE} (${found})`);
  });

  it('Zipkin v1 JSON: says which format it is and what to export instead', async () => {
    const v1 = [{ traceId: '1e223ff1f80f1c69', id: '74280ae0c10d8062', name: 'get', annotations: [{ timestamp: 1, value: 'sr', endpoint: { serviceName: 'a' } }], binaryAnnotations: [] }];
    const p = tmp.file('v1.json', JSON.stringify(v1));
    expect(await readError(p)).toBe(
      `${p}:1:2: is Zipkin v1 JSON (binaryAnnotations, endpoints on annotations), which is not supported: export Zipkin v2 JSON (/api/v2/traces) instead`,
    );
  });

  it('an empty span list is a valid, empty trace file', async () => {
    const r = await readAll(tmp.file('none.json', '[]'));
    expect(r.spans).toEqual([]);
  });

  it('a corrupt gzip file', async () => {
    const p = tmp.file('bad.json.gz', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(await readError(p)).toMatch(/bad\.json\.gz: is not valid gzip/);
  });
});
