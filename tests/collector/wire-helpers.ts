// Raw HTTP for wire tests (headers and bodies exactly as written), and an independent protobuf
// encoder/decoder (protobufjs) for the few OTLP messages the tests craft by hand.
import http from 'node:http';
import protobuf from 'protobufjs';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function send(url: string, opts: { method?: string; headers?: Record<string, string | number>; body?: Buffer | string | AsyncIterable<Buffer> }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    // The server may answer (413) and close before the whole body is written; the answer counts.
    req.on('error', reject);
    const body = opts.body;
    if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    (async () => {
      for await (const chunk of body) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(() => req.destroy());
  });
}

const root = protobuf.Root.fromJSON({
  nested: {
    Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } },
    AnyValue: { fields: { stringValue: { type: 'string', id: 1 } } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        parentSpanId: { type: 'bytes', id: 4 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 },
        endTimeUnixNano: { type: 'fixed64', id: 8 },
      },
    },
    ScopeSpans: { fields: { spans: { rule: 'repeated', type: 'Span', id: 2 } } },
    ResourceSpans: { fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 } } },
    ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
  },
});

/** protobufjs takes 64-bit values as {low, high} halves. */
function long(n: bigint): { low: number; high: number; unsigned: boolean } {
  return { low: Number(n & 0xffffffffn) | 0, high: Number(n >> 32n) | 0, unsigned: true };
}

export function decodeStatusProto(buf: Buffer): { code: number; message: string } {
  return root.lookupType('Status').decode(buf).toJSON() as { code: number; message: string };
}

export interface HandSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** An ExportTraceServiceRequest with ids taken as hex verbatim (so malformed ones stay malformed). */
export function encodeTraceRequestProto(service: string, spans: HandSpan[]): Buffer {
  const T = root.lookupType('ExportTraceServiceRequest');
  const now = BigInt(Date.now()) * 1_000_000n;
  const msg = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: spans.map((s) => ({
              traceId: Buffer.from(s.traceId, 'hex'),
              spanId: Buffer.from(s.spanId, 'hex'),
              parentSpanId: s.parentSpanId ? Buffer.from(s.parentSpanId, 'hex') : undefined,
              name: s.name,
              kind: 2,
              startTimeUnixNano: long(now),
              endTimeUnixNano: long(now + 1_000_000n),
            })),
          },
        ],
      },
    ],
  };
  return Buffer.from(T.encode(T.fromObject(msg)).finish());
}

export function traceRequestJson(service: string, spans: HandSpan[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'wire' }, spans: spans.map((s) => ({ ...s, kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n) })) }],
      },
    ],
  });
}

/** An OTLP/JSON trace request of one service carrying `spans` (OTLP/JSON span objects) as given. */
export function spansRequestJson(service: string, spans: object[]): string {
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] }],
  });
}

let counter = 0;
/** Fresh valid ids: a 32-hex trace id and n 16-hex span ids. */
export function ids(n: number): { traceId: string; spanIds: string[] } {
  const base = `${process.pid.toString(16).padStart(8, '0')}${(++counter).toString(16).padStart(8, '0')}`;
  return {
    traceId: `${base}${Date.now().toString(16).padStart(16, '0')}`.slice(0, 32),
    spanIds: Array.from({ length: n }, (_, i) => `${(counter * 1000 + i + 1).toString(16).padStart(16, '0')}`),
  };
}
