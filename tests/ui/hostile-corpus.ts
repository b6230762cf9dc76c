// Attacker-controlled span data (WIRE.md, "Security of rendered data"): names, attribute keys and
// values, events, status messages, stack traces, service names, nested values and Faro payloads
// built to run script, break out of markup or CSS, spoof text direction, or exhaust the page.
// Every executable payload sets window.__pwned and calls alert(), so a single execution shows up
// as a dialog and a flag. Sent through the real collector: SDK exporter, raw OTLP/JSON, Faro.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SpanSender } from './span-generator.ts';

const RUN = "window.__pwned=1;alert('xss')";

export const HOSTILE_STRINGS: readonly string[] = [
  `<script>${RUN}</script>`,
  `"><img src=x onerror="${RUN}">`,
  `'><svg onload="${RUN}"></svg>`,
  `<svg><script>${RUN}</script></svg>`,
  `<a href="javascript:${RUN}" onclick="${RUN}">click me</a>`,
  `<div onmouseover="${RUN}" style="position:fixed;inset:0;z-index:9999">cover</div>`,
  `<iframe srcdoc="<script>parent.${RUN}</script>"></iframe>`,
  `<object data="javascript:${RUN}"></object>`,
  `javascript:${RUN}`,
  `JaVaScRiPt:${RUN}`,
  ` javascript:${RUN}`,
  `java\tscript:${RUN}`,
  `data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
  `vbscript:msgbox(1)`,
  `</script><script>${RUN}</script>`,
  `</style><script>${RUN}</script>`,
  `red;background:url(javascript:${RUN})`,
  `x" style="background:url(https://evil.example/leak)`,
  `expression(${RUN})`,
  '${' + RUN + '}',
  `{{constructor.constructor("${RUN}")()}}`,
  `#{${RUN}}`,
  `<%= ${RUN} %>`,
  '`;' + RUN + ';`',
  `<!--`,
  `]]><![CDATA[`,
  `\r\n\r\n<script>${RUN}</script>`,
  'null\u0000byte',
  '\u202Egnp.exe',
  'a\u200Bb\u200Cc\u200Dd\uFEFFe\u2060f',
  '\u2066isolate\u2069 \u2067rtl\u2069',
  'Z̸̢̛̛͖͈̯̺a̴͇̒l̷̰͝g̵̯̿o̶̧͝',
  'مرحبا بالعالم',
  '😀👩‍👩‍👧‍👦🏳️‍🌈',
  'https://evil.example/"><script>' + RUN + '</script>',
  '__proto__',
  'constructor',
];

export const HOSTILE_KEYS: readonly string[] = [
  '<img src=x onerror="' + RUN + '">',
  'javascript:' + RUN,
  'toString',
  'hasOwnProperty',
  'constructor',
  '\u202Ekey',
  'k'.repeat(2000),
];

export const HOSTILE_SERVICES: readonly string[] = [`<img src=x onerror="${RUN}">`, `javascript:${RUN}`, '\u202Eevil-svc'];

export const ONE_MB = 'A'.repeat(1 << 20) + `<script>${RUN}</script>`;

export function hugeStack(lines = 5000): string {
  const out = [`Error: <img src=x onerror="${RUN}">`];
  for (let i = 0; i < lines; i++) out.push(`    at fn${i} (https://cdn.example/app.js?${i}#<script>${RUN}</script>:${i}:${i % 80})`);
  return out.join('\n');
}

export interface HostileIds {
  /** The trace whose spans carry the corpus. */
  traceId: string;
  /** A trace whose root service is hostile. */
  serviceTraceIds: string[];
  /** The trace sent as raw OTLP/JSON with deeply nested values. */
  nestedTraceId: string;
}

/** Sends the corpus through the SDK's OTLP/HTTP exporter and a raw OTLP/JSON request. */
export async function sendHostileCorpus(collectorUrl: string, t0 = Date.now() - 60_000): Promise<HostileIds> {
  const sender = new SpanSender(collectorUrl);
  const tracer = sender.tracer('hostile-app');
  const root = tracer.startSpan(`<script>${RUN}</script> GET /`, { kind: SpanKind.SERVER, startTime: t0, attributes: { 'http.route': `/"><img src=x onerror="${RUN}">` } }, ROOT_CONTEXT);
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  HOSTILE_STRINGS.forEach((s, i) => {
    const attributes: Record<string, string | number | string[]> = { value: s, 'url.full': s, 'peer.service': s, list: [s, s] };
    HOSTILE_KEYS.forEach((k, j) => (attributes[k] = `${j}:${s}`));
    const span = tracer.startSpan(s, { kind: i % 2 ? SpanKind.CLIENT : SpanKind.INTERNAL, startTime: t0 + i * 10, attributes }, ctx);
    span.addEvent(s, { [s.slice(0, 100)]: s }, t0 + i * 10 + 1);
    if (i % 3 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: s });
    span.end(t0 + i * 10 + 8);
  });
  const big = tracer.startSpan('one megabyte attribute', { startTime: t0 + 500, attributes: { big: ONE_MB, 'db.query.text': ONE_MB } }, ctx);
  big.end(t0 + 510);
  const exc = tracer.startSpan('huge stack trace', { startTime: t0 + 520 }, ctx);
  exc.addEvent('exception', { 'exception.type': `<svg onload="${RUN}">`, 'exception.message': `<script>${RUN}</script>`, 'exception.stacktrace': hugeStack() }, t0 + 525);
  exc.setStatus({ code: SpanStatusCode.ERROR, message: hugeStack(50) });
  exc.end(t0 + 530);
  root.end(t0 + 600);

  const serviceTraceIds: string[] = [];
  HOSTILE_SERVICES.forEach((svc, i) => {
    const r = sender.tracer(svc).startSpan(`op ${i}`, { kind: SpanKind.SERVER, startTime: t0 + i }, ROOT_CONTEXT);
    const c = sender.tracer(svc).startSpan(`call ${svc}`, { kind: SpanKind.CLIENT, startTime: t0 + i + 1, attributes: { 'server.address': svc } }, trace.setSpan(ROOT_CONTEXT, r));
    const s = sender.tracer(HOSTILE_SERVICES[(i + 1) % HOSTILE_SERVICES.length]).startSpan(`serve ${svc}`, { kind: SpanKind.SERVER, startTime: t0 + i + 2 }, trace.setSpan(ROOT_CONTEXT, c));
    s.end(t0 + i + 20);
    c.end(t0 + i + 21);
    r.end(t0 + i + 30);
    serviceTraceIds.push(r.spanContext().traceId);
  });
  await sender.flush();
  await sender.shutdown();

  const nestedTraceId = 'abcdef0123456789abcdef0123456789';
  const res = await fetch(`${collectorUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(nestedRequest(nestedTraceId, t0)) });
  if (res.status !== 200) throw new Error(`nested OTLP/JSON request refused: ${res.status} ${await res.text()}`);
  return { traceId: root.spanContext().traceId, serviceTraceIds, nestedTraceId };
}

function nested(depth: number): unknown {
  let v: unknown = { stringValue: `<script>${RUN}</script>` };
  for (let i = 0; i < depth; i++) {
    v = i % 2 === 0 ? { kvlistValue: { values: [{ key: `<b onclick="${RUN}">level${i}</b>`, value: v }, { key: '__proto__', value: { stringValue: 'polluted' } }] } } : { arrayValue: { values: [v, { stringValue: `javascript:${RUN}` }] } };
  }
  return v;
}

/** OTLP/JSON the SDK cannot produce: kvlist/array values nested 64 deep, `__proto__` keys. */
function nestedRequest(traceId: string, t0: number) {
  const ns = (ms: number) => String(BigInt(Math.round(ms)) * 1_000_000n);
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'nested-attrs' } }, { key: '__proto__', value: { stringValue: 'x' } }] },
        scopeSpans: [
          {
            scope: { name: `<script>${RUN}</script>` },
            spans: [
              {
                traceId,
                spanId: '0123456789abcdef',
                name: 'deeply nested attributes',
                kind: 2,
                startTimeUnixNano: ns(t0),
                endTimeUnixNano: ns(t0 + 50),
                attributes: [
                  { key: 'deep', value: nested(64) },
                  { key: '__proto__', value: { stringValue: 'polluted' } },
                  { key: 'constructor', value: { kvlistValue: { values: [{ key: 'prototype', value: { stringValue: 'x' } }] } } },
                ],
                events: [{ timeUnixNano: ns(t0 + 10), name: `<svg onload="${RUN}">`, attributes: [{ key: 'deep', value: nested(32) }] }],
                links: [{ traceId: 'ffffffffffffffffffffffffffffffff', spanId: 'ffffffffffffffff', attributes: [{ key: 'javascript:x', value: { stringValue: `javascript:${RUN}` } }] }],
                status: { code: 2, message: `<img src=x onerror="${RUN}">` },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** A Faro payload (browser RUM) whose every string is hostile, for POST /collect. */
export function hostileFaroPayload(traceId: string): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    meta: {
      app: { name: `<img src=x onerror="${RUN}">`, version: `javascript:${RUN}` },
      page: { url: `javascript:${RUN}` },
      browser: { name: `<script>${RUN}</script>`, userAgent: '\u202Eevil' },
      session: { id: `"><svg onload="${RUN}">` },
    },
    logs: [{ message: `<script>${RUN}</script>`, level: 'error', context: { [`<b onclick="${RUN}">`]: `javascript:${RUN}` }, timestamp: now, trace: { trace_id: traceId, span_id: '0123456789abcdef' } }],
    exceptions: [{ type: `<svg onload="${RUN}">`, value: ONE_MB.slice(0, 4096), timestamp: now, stacktrace: { frames: Array.from({ length: 500 }, (_, i) => ({ filename: `javascript:${RUN}`, function: `<img src=x onerror="${RUN}">${i}`, lineno: i, colno: 1 })) } }],
    measurements: [{ type: `<script>${RUN}</script>`, values: { lcp: 1, [`<img src=x onerror="${RUN}">`]: 2 }, timestamp: now }],
    events: [{ name: `<iframe srcdoc="<script>parent.${RUN}</script>">`, attributes: { href: `javascript:${RUN}` }, timestamp: now }],
  };
}
