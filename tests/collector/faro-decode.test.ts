// Faro payload → model, pure: services, kinds of log record, web vitals, caps and bad shapes.
import { describe, expect, it } from 'vitest';
import { FARO_LIMITS, decodeFaro, faroToOtlp } from '../../lib/otlp/faro.ts';
import { faroPayload } from './faro-payload.ts';

const NOW = 1_700_000_000_000_000_000n;

describe('decodeFaro', () => {
  const { payload, traceId, fetchSpanId } = faroPayload();
  const r = decodeFaro(payload, NOW);
  if (!r.ok) throw new Error(r.message);

  it('names the browser spans by meta.app.name and keeps the SDK ids', () => {
    expect(r.service).toBe('shop-web');
    expect(r.batch.spans).toHaveLength(2);
    for (const s of r.batch.spans) {
      expect(s.resource.serviceName).toBe('shop-web');
      expect(s.traceId).toBe(traceId);
      expect(s.resource.attributes['browser.name']).toBe('Chromium');
    }
    expect(r.batch.spans.find((s) => s.spanId === fetchSpanId)?.kind).toBe('client');
  });

  it('stores logs, exceptions and events as log records linked to the trace', () => {
    expect(r.batch.logs).toHaveLength(4);
    const [info, warn, exc, event] = r.batch.logs;
    expect(info).toMatchObject({ severityNumber: 9, body: 'cart loaded', traceId, spanId: fetchSpanId });
    expect(info.attributes).toMatchObject({ 'faro.kind': 'log', items: '3', 'url.full': 'http://127.0.0.1:9/never/checkout?step=2' });
    expect(warn.severityNumber).toBe(13);
    expect(warn.traceId).toBeUndefined();
    expect(exc).toMatchObject({ severityNumber: 17, eventName: 'exception', traceId });
    expect(exc.attributes['exception.type']).toBe('TypeError');
    expect(String(exc.attributes['exception.stacktrace'])).toContain('at renderCart (http://127.0.0.1:9/never/static/app.js:120:14)');
    expect(event).toMatchObject({ eventName: 'session_start' });
    expect(event.attributes['event.domain']).toBe('browser');
    for (const l of r.batch.logs) expect(l.resource.serviceName).toBe('shop-web');
  });

  it('stores web vitals as gauges with units', () => {
    const byName = new Map(r.batch.metrics.map((m) => [m.name, m]));
    expect([...byName.keys()].sort()).toEqual(['browser.web_vital.cls', 'browser.web_vital.lcp', 'browser.web_vital.ttfb']);
    expect(byName.get('browser.web_vital.lcp')).toMatchObject({ type: 'gauge', value: 1234.5, unit: 'ms' });
    expect(byName.get('browser.web_vital.cls')).toMatchObject({ value: 0.02, unit: '1' });
    expect(byName.get('browser.web_vital.lcp')!.attributes.rating).toBe('good');
  });

  it('takes sub-millisecond digits from ISO timestamps and the receive time when missing', () => {
    const t = faroToOtlp({ meta: { app: { name: 'a' } }, logs: [{ message: 'x', level: 'info', timestamp: '2024-01-02T03:04:05.123456Z' }, { message: 'y', level: 'info' }] }, NOW);
    if (!t.ok) throw new Error(t.message);
    const recs = (t.value.logs as { resourceLogs: { scopeLogs: { logRecords: { timeUnixNano: string }[] }[] }[] }).resourceLogs[0].scopeLogs[0].logRecords;
    expect(recs[0].timeUnixNano).toBe(String(BigInt(Date.parse('2024-01-02T03:04:05.123Z')) * 1_000_000n + 456_000n));
    expect(recs[1].timeUnixNano).toBe(String(NOW));
  });
});

describe('bad Faro payloads', () => {
  it.each([
    [null, 'JSON object'],
    [[], 'JSON object'],
    [{}, 'meta'],
    [{ meta: { app: {} } }, 'meta.app.name'],
    [{ meta: { app: { name: 'x'.repeat(300) } } }, '256'],
    [{ meta: { app: { name: 'a' } }, logs: {} }, 'logs must be an array'],
    [{ meta: { app: { name: 'a' } }, traces: 'x' }, 'traces'],
  ])('refuses %j', (body, message) => {
    const r = faroToOtlp(body, NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('counts unusable items and keeps the rest', () => {
    const r = decodeFaro(
      {
        meta: { app: { name: 'a' } },
        logs: [{ level: 'info' }, { message: 'ok', level: 'nonsense', trace: { trace_id: 'not-hex', span_id: 'x' } }],
        measurements: [{ type: 'web-vitals', values: { lcp: 'fast', fcp: 10 } }, { values: {} }],
        events: [{}],
        exceptions: [{ stacktrace: {} }],
      },
      NOW,
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.batch.logs).toHaveLength(1);
    expect(r.batch.logs[0].traceId).toBeUndefined();
    expect(r.batch.metrics.map((m) => m.name)).toEqual(['browser.web_vital.fcp']);
    expect(r.rejected).toBe(5);
    expect(r.errors.length).toBeGreaterThan(0);
  });

  it('caps huge lists and stack traces', () => {
    const frames = Array.from({ length: 5000 }, (_, i) => ({ filename: 'f.js', function: `fn${i}`, lineno: i }));
    const r = decodeFaro(
      {
        meta: { app: { name: 'a' } },
        logs: Array.from({ length: FARO_LIMITS.itemsPerList + 10 }, () => ({ message: 'm', level: 'info' })),
        exceptions: [{ type: 'E', value: 'v', stacktrace: { frames } }],
      },
      NOW,
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.batch.logs).toHaveLength(FARO_LIMITS.itemsPerList + 1);
    expect(r.rejected).toBe(10);
    const exc = r.batch.logs.find((l) => l.eventName === 'exception')!;
    expect(String(exc.attributes['exception.stacktrace']).split('\n')).toHaveLength(FARO_LIMITS.stackFrames + 1);
    expect(exc.attributes['faro.stacktrace.frames_dropped']).toBe(5000 - FARO_LIMITS.stackFrames);
  });
});
