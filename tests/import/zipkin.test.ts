import { describe, expect, it } from 'vitest';
import { decodeZipkinSpans } from '../../lib/otlp/zipkin.ts';

const base = { traceId: '1e223ff1f80f1c69', id: '74280ae0c10d8062', name: 'post', timestamp: 1470150004074202, duration: 94539 };

function one(span: Record<string, unknown>) {
  const r = decodeZipkinSpans([span]);
  expect(r.rejected, r.errors.join('; ')).toBe(0);
  return r.items[0];
}

describe('Zipkin v2 decoder', () => {
  it('pads 64-bit trace ids to 32 hex and converts µs to ns', () => {
    const s = one({ ...base, parentId: 'BF396325699C84BF' });
    expect(s.traceId).toBe('00000000000000001e223ff1f80f1c69');
    expect(s.spanId).toBe('74280ae0c10d8062');
    expect(s.parentSpanId).toBe('bf396325699c84bf');
    expect(s.startNs).toBe(1470150004074202000n);
    expect(s.durationNs).toBe(94_539_000);
    expect(s.endNs - s.startNs).toBe(94_539_000n);
  });

  it.each([
    ['CLIENT', 'client'],
    ['SERVER', 'server'],
    ['PRODUCER', 'producer'],
    ['CONSUMER', 'consumer'],
    [undefined, 'unspecified'],
  ])('maps kind %s to %s', (kind, expected) => {
    expect(one({ ...base, kind }).kind).toBe(expected);
  });

  it('takes the service from localEndpoint, else unknown_service', () => {
    expect(one({ ...base, localEndpoint: { serviceName: 'servicea' } }).resource.serviceName).toBe('servicea');
    expect(one({ ...base, localEndpoint: { ipv4: '10.0.0.1' } }).resource.serviceName).toBe('unknown_service');
    expect(one(base).resource.serviceName).toBe('unknown_service');
  });

  it('groups spans of one service into one Resource object', () => {
    const r = decodeZipkinSpans([
      { ...base, localEndpoint: { serviceName: 'a' } },
      { ...base, id: '0000000000000002', localEndpoint: { serviceName: 'a', ipv4: '10.0.0.2' } },
      { ...base, id: '0000000000000003', localEndpoint: { serviceName: 'b' } },
    ]);
    expect(r.items[0].resource).toBe(r.items[1].resource);
    expect(r.items[2].resource).not.toBe(r.items[0].resource);
    expect(r.items[0].resource.attributes).toEqual({ 'service.name': 'a' });
  });

  it('maps remoteEndpoint to service.peer.name and server.* on client spans', () => {
    const s = one({ ...base, kind: 'CLIENT', remoteEndpoint: { serviceName: 'blt', ipv4: '10.1.2.3', port: 31882 } });
    expect(s.attributes['service.peer.name']).toBe('blt');
    expect(s.attributes['server.address']).toBe('10.1.2.3');
    expect(s.attributes['server.port']).toBe(31882);
  });

  it('maps remoteEndpoint to client.* on server spans', () => {
    const s = one({ ...base, kind: 'SERVER', remoteEndpoint: { ipv6: '::1', port: 54602 } });
    expect(s.attributes['client.address']).toBe('::1');
    expect(s.attributes['client.port']).toBe(54602);
    expect(s.attributes['server.address']).toBeUndefined();
  });

  it('never lets an endpoint IP override a host name the tags gave', () => {
    const s = one({ ...base, kind: 'CLIENT', remoteEndpoint: { ipv4: '10.1.2.3' }, tags: { 'net.peer.name': 'db.internal' } });
    expect(s.attributes['server.address']).toBe('db.internal');
  });

  it('folds old tag names and types well-known numbers', () => {
    const s = one({ ...base, kind: 'SERVER', tags: { 'http.method': 'GET', 'http.status_code': '503', 'http.path': '/api/v1/x', 'sql.query': 'select 1', lc: 'x' } });
    expect(s.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 503,
      'url.path': '/api/v1/x',
      'db.query.text': 'select 1',
      lc: 'x',
    });
    expect(s.attributes['http.status_code']).toBeUndefined();
    expect(s.attributes['http.path']).toBeUndefined();
  });

  it('turns the error tag into an error status carrying its message', () => {
    expect(one({ ...base, tags: { error: '401' } }).status).toEqual({ code: 'error', message: '401' });
    expect(one({ ...base, tags: { error: '' } }).status).toEqual({ code: 'error' });
    expect(one({ ...base, tags: { error: 'true' } }).status).toEqual({ code: 'error' });
    expect(one({ ...base, tags: { error: 'boom' } }).attributes.error).toBeUndefined();
    expect(one(base).status).toEqual({ code: 'unset' });
  });

  it('reads the status and scope OpenTelemetry exporters write as tags', () => {
    const s = one({ ...base, tags: { 'otel.status_code': 'ERROR', 'otel.status_description': 'timeout', 'otel.scope.name': 'io.x', 'otel.scope.version': '1.0' } });
    expect(s.status).toEqual({ code: 'error', message: 'timeout' });
    expect(s.scope).toEqual({ name: 'io.x', version: '1.0' });
    expect(s.attributes['otel.status_code']).toBeUndefined();
  });

  it('turns annotations into events', () => {
    const s = one({ ...base, annotations: [{ timestamp: 1470150004074300, value: 'ws' }] });
    expect(s.events).toEqual([{ timeNs: 1470150004074300000n, name: 'ws', attributes: {} }]);
  });

  it('keeps shared: true on the server half of a shared span id', () => {
    const r = decodeZipkinSpans([
      { ...base, kind: 'CLIENT', localEndpoint: { serviceName: 'servicea' } },
      { ...base, kind: 'SERVER', shared: true, localEndpoint: { serviceName: 'serviceb' } },
    ]);
    expect(r.items.map((s) => [s.kind, s.spanId, s.shared])).toEqual([
      ['client', '74280ae0c10d8062', undefined],
      ['server', '74280ae0c10d8062', true],
    ]);
  });

  it('keeps a span without duration: it ends at its last annotation, else has zero length', () => {
    const { duration: _d, ...noDuration } = base;
    expect(one(noDuration).durationNs).toBe(0);
    const annotated = one({ ...noDuration, annotations: [{ timestamp: base.timestamp + 250, value: 'cs' }] });
    expect(annotated.durationNs).toBe(250_000);
  });

  it('keeps a span without timestamp: placed at its first annotation, else at its trace start', () => {
    const { timestamp: _t, ...noTimestamp } = base;
    const byAnnotation = one({ ...noTimestamp, annotations: [{ timestamp: 1470150004000000, value: 'sr' }] });
    expect(byAnnotation.startNs).toBe(1470150004000000000n);
    const r = decodeZipkinSpans([{ ...noTimestamp, id: '0000000000000009' }, { ...base, timestamp: 1470150003000000 }]);
    expect(r.items[0].startNs).toBe(1470150003000000000n);
  });

  it('rejects with reasons: bad ids, no time at all, non-objects; keeps the rest', () => {
    const { timestamp: _t, ...noTimestamp } = base;
    const r = decodeZipkinSpans([
      { ...base, traceId: 'xyz' },
      { ...base, id: '00000000000000000' },
      { ...base, id: '0000000000000000' },
      { ...base, parentId: 'nothex' },
      { ...noTimestamp, traceId: 'aaaaaaaaaaaaaaaa' },
      42,
      base,
    ]);
    expect(r.items).toHaveLength(1);
    expect(r.rejected).toBe(6);
    expect(r.errors[0]).toBe('span 0: invalid traceId "xyz" (expected 16 or 32 hex digits, not all zero)');
    expect(r.errors.join('\n')).toMatch(/span 4: no timestamp/);
  });

  it('says what is wrong when the body is not an array', () => {
    expect(decodeZipkinSpans({}).errors).toEqual(['Zipkin v2 JSON must be an array of spans']);
  });
});
