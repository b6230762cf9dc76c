import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../lib/otlp/files.ts';
import { FIXTURES } from './helpers.ts';
import { sdkTrace } from './otel-sdk-json.ts';

const otlp = sdkTrace().json;

describe('detectFormat (sniffing the first bytes)', () => {
  it.each([
    ['yelp.json', 'zipkin'],
    ['skew.json', 'zipkin'],
    ['envoy.json', 'zipkin'],
  ])('%s is %s', (file, format) => {
    expect(detectFormat(readFileSync(join(FIXTURES, file)).subarray(0, 4096))).toBe(format);
  });

  it('recognises OTLP JSON, arrays of requests and JSON-lines', () => {
    expect(detectFormat(otlp)).toBe('otlp-json');
    expect(detectFormat(JSON.stringify(JSON.parse(otlp), null, 2))).toBe('otlp-json');
    expect(detectFormat(`[${otlp}]`)).toBe('otlp-json');
    expect(detectFormat(`${otlp}\n${otlp}\n`)).toBe('otlp-json-lines');
    expect(detectFormat(new TextEncoder().encode(`\uFEFF${otlp}`))).toBe('otlp-json');
  });

  it('recognises Jaeger downloads and bare traces', () => {
    const jaeger = readFileSync(join(import.meta.dirname, 'data', 'jaeger-hotrod.json'), 'utf8');
    expect(detectFormat(jaeger.slice(0, 300))).toBe('jaeger');
    expect(detectFormat('{"traceID": "abc", "spans": []}')).toBe('jaeger');
  });

  it('says empty, gzip or unknown', () => {
    expect(detectFormat('')).toBe('empty');
    expect(detectFormat('  \n')).toBe('empty');
    expect(detectFormat(gzipSync('[]'))).toBe('gzip');
    expect(detectFormat('{"hello": 1}')).toBe('unknown');
    expect(detectFormat('hello')).toBe('unknown');
    expect(detectFormat('[1,2]')).toBe('unknown');
  });
});
