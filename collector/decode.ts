// Body → model, for one signal and encoding. Pure: used by the writer thread, and directly by
// anything else that needs the same decoding (tests, benchmarks).
import type { LogRecord, MetricPoint, Span } from '../lib/model/index.ts';
import type { OtlpDecodeResult } from '../lib/otlp/common.ts';
import { decodeOtlpJsonLogs, decodeOtlpJsonMetrics, decodeOtlpJsonTraces } from '../lib/otlp/json.ts';
import { decodeOtlpProtoLogs, decodeOtlpProtoMetrics, decodeOtlpProtoTraces } from '../lib/otlp/protobuf.ts';
import type { Signal } from './metrics.ts';
import type { Encoding } from './protocol.ts';

export type Decoded =
  | { kind: 'ok'; signal: 'traces'; result: OtlpDecodeResult<Span> }
  | { kind: 'ok'; signal: 'metrics'; result: OtlpDecodeResult<MetricPoint> }
  | { kind: 'ok'; signal: 'logs'; result: OtlpDecodeResult<LogRecord> }
  | { kind: 'invalid'; message: string };

function parseJson(body: Uint8Array): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) };
  } catch (err) {
    return { ok: false, message: `request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export function decodeBody(signal: Signal, encoding: Encoding, body: Uint8Array): Decoded {
  let decoded: Decoded;
  if (encoding === 'protobuf') {
    if (signal === 'traces') decoded = { kind: 'ok', signal, result: decodeOtlpProtoTraces(body) };
    else if (signal === 'metrics') decoded = { kind: 'ok', signal, result: decodeOtlpProtoMetrics(body) };
    else decoded = { kind: 'ok', signal, result: decodeOtlpProtoLogs(body) };
  } else {
    const parsed = parseJson(body);
    if (!parsed.ok) return { kind: 'invalid', message: parsed.message };
    if (signal === 'traces') decoded = { kind: 'ok', signal, result: decodeOtlpJsonTraces(parsed.value) };
    else if (signal === 'metrics') decoded = { kind: 'ok', signal, result: decodeOtlpJsonMetrics(parsed.value) };
    else decoded = { kind: 'ok', signal, result: decodeOtlpJsonLogs(parsed.value) };
  }
  if (decoded.kind === 'ok' && decoded.result.fatal !== undefined) return { kind: 'invalid', message: decoded.result.fatal };
  return decoded;
}
