// Grafana Faro (browser RUM) payloads → OTLP/JSON requests → the model (WIRE.md, "Grafana Faro").
//
// A Faro body is `{meta, logs, exceptions, measurements, events, traces}`. `traces` already is an
// OTLP/JSON ExportTraceServiceRequest; the rest is translated into OTLP/JSON log and metric
// requests, so every signal goes through the one OTLP/JSON decoder (normalize once, §4.2) and
// the collector's writer pipeline takes them like any other export.
//
// Security: every string here is attacker controlled. Nothing is fetched (no source maps, no
// page URL), strings are only copied into attributes, and every list is capped with the
// overflow counted, so a hostile payload costs at most its (already size-limited) bytes.
import type { IngestBatch } from '../model/index.ts';
import { decodeOtlpJsonLogs, decodeOtlpJsonMetrics, decodeOtlpJsonTraces } from './json.ts';

type Obj = { [k: string]: unknown };

/** OTLP/JSON requests built from one Faro payload; a signal with nothing to say is undefined. */
export interface FaroOtlp {
  service: string;
  traces?: Obj;
  logs?: Obj;
  metrics?: Obj;
  /** Items counted in each request (spans are counted by the trace decoder). */
  logCount: number;
  metricCount: number;
  /** Faro items that could not be used (wrong shape), and a few reasons. */
  rejected: number;
  errors: string[];
}

export type FaroResult = { ok: true; value: FaroOtlp } | { ok: false; message: string };

/** Per-payload caps: a Faro batch is small (the SDK sends ≤ 50 items); anything past these is hostile. */
export const FARO_LIMITS = {
  itemsPerList: 1000,
  stackFrames: 200,
  attributesPerItem: 64,
  valuesPerMeasurement: 32,
} as const;

const SEVERITY: Record<string, [number, string]> = {
  trace: [1, 'TRACE'],
  debug: [5, 'DEBUG'],
  log: [9, 'INFO'],
  info: [9, 'INFO'],
  warn: [13, 'WARN'],
  error: [17, 'ERROR'],
};

const HEX32 = /^[0-9a-fA-F]{32}$/;
const HEX16 = /^[0-9a-fA-F]{16}$/;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function kv(key: string, value: string | number | boolean): Obj {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return Number.isInteger(value) ? { key, value: { intValue: String(value) } } : { key, value: { doubleValue: value } };
}

class Rejects {
  count = 0;
  readonly errors: string[] = [];
  add(reason: string): void {
    this.count++;
    if (this.errors.length < 5 && !this.errors.includes(reason)) this.errors.push(reason);
  }
}

/** ISO-8601 timestamp → epoch ns as a decimal string; the receive time when missing or unparseable. */
function timeNs(ts: unknown, nowNs: bigint): string {
  if (typeof ts === 'string') {
    const ms = Date.parse(ts);
    if (Number.isFinite(ms)) {
      // Keep sub-millisecond digits Date.parse drops ("…:01.123456Z").
      const frac = /\.(\d+)(?:Z|[+-]\d\d:?\d\d)?$/i.exec(ts);
      const micros = frac && frac[1].length > 3 ? Number(frac[1].slice(3, 6).padEnd(3, '0')) : 0;
      return String(BigInt(Math.trunc(ms)) * 1_000_000n + BigInt(micros) * 1000n);
    }
  }
  if (typeof ts === 'number' && Number.isFinite(ts) && ts > 0) return String(BigInt(Math.trunc(ts)) * 1_000_000n);
  return String(nowNs);
}

/** String-valued context/attribute maps (Faro's `Record<string, string>`), capped. */
function stringAttrs(v: unknown, prefix: string, out: Obj[]): void {
  if (!isObj(v)) return;
  let n = 0;
  for (const [k, val] of Object.entries(v)) {
    if (n >= FARO_LIMITS.attributesPerItem) break;
    if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean') {
      out.push(kv(prefix + k, typeof val === 'number' ? String(val) : val));
      n++;
    }
  }
}

function traceContext(item: Obj, out: Obj): void {
  const t = item.trace;
  if (!isObj(t)) return;
  const traceId = t.trace_id ?? t.traceId;
  const spanId = t.span_id ?? t.spanId;
  if (typeof traceId === 'string' && HEX32.test(traceId) && !/^0+$/.test(traceId)) {
    out.traceId = traceId.toLowerCase();
    if (typeof spanId === 'string' && HEX16.test(spanId) && !/^0+$/.test(spanId)) out.spanId = spanId.toLowerCase();
  }
}

function list(payload: Obj, key: string, rej: Rejects): unknown[] | { bad: string } {
  const v = payload[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return { bad: `${key} must be an array` };
  if (v.length > FARO_LIMITS.itemsPerList) {
    for (let i = FARO_LIMITS.itemsPerList; i < v.length; i++) rej.add(`${key}: more than ${FARO_LIMITS.itemsPerList} items in one payload`);
    return v.slice(0, FARO_LIMITS.itemsPerList);
  }
  return v;
}

/** Resource attributes for the browser app, from `meta` (service.name = meta.app.name). */
function resourceOf(meta: Obj, service: string): Obj[] {
  const attrs: Obj[] = [kv('service.name', service), kv('telemetry.sdk.language', 'webjs')];
  const app = isObj(meta.app) ? meta.app : {};
  const sdk = isObj(meta.sdk) ? meta.sdk : {};
  const browser = isObj(meta.browser) ? meta.browser : {};
  const session = isObj(meta.session) ? meta.session : {};
  const add = (key: string, v: unknown) => {
    const s = str(v);
    if (s !== undefined) attrs.push(kv(key, s));
  };
  add('service.version', app.version);
  add('service.namespace', app.namespace);
  add('deployment.environment.name', app.environment);
  add('telemetry.sdk.name', sdk.name ?? 'faro-web-sdk');
  add('telemetry.sdk.version', sdk.version);
  add('browser.name', browser.name);
  add('browser.version', browser.version);
  add('browser.platform', browser.os);
  add('browser.language', browser.language);
  add('user_agent.original', browser.userAgent);
  if (typeof browser.mobile === 'boolean') attrs.push(kv('browser.mobile', browser.mobile));
  add('session.id', session.id);
  return attrs;
}

function formatStack(stacktrace: unknown): { text: string; dropped: number } | undefined {
  if (!isObj(stacktrace) || !Array.isArray(stacktrace.frames)) return undefined;
  const frames = stacktrace.frames;
  const shown = frames.slice(0, FARO_LIMITS.stackFrames);
  const lines = shown.map((f) => {
    if (!isObj(f)) return '    at <unknown>';
    const fn = str(f.function) ?? '<anonymous>';
    const file = str(f.filename) ?? '<unknown>';
    const pos = [f.lineno, f.colno].filter((n) => typeof n === 'number').join(':');
    return `    at ${fn} (${file}${pos ? ':' + pos : ''})`;
  });
  return { text: lines.join('\n'), dropped: frames.length - shown.length };
}

/**
 * Translates a parsed Faro body. `nowNs` stands in for missing timestamps (pure: no clock here).
 * A body that is not a Faro payload at all is `{ok: false}` (answer 400); items of the wrong
 * shape inside a good payload are counted in `rejected` and the rest is kept.
 */
export function faroToOtlp(body: unknown, nowNs: bigint): FaroResult {
  if (!isObj(body)) return { ok: false, message: 'a Faro payload must be a JSON object {meta, logs, exceptions, measurements, events, traces}' };
  const meta = body.meta;
  if (!isObj(meta)) return { ok: false, message: 'meta: missing (Faro payloads carry meta.app.name)' };
  const app = isObj(meta.app) ? meta.app : undefined;
  const service = str(app?.name);
  if (service === undefined) return { ok: false, message: 'meta.app.name: missing; it names the browser service' };
  if (service.length > 256) return { ok: false, message: 'meta.app.name: longer than 256 characters' };

  const rej = new Rejects();
  const lists: Record<string, unknown[]> = {};
  for (const key of ['logs', 'exceptions', 'measurements', 'events']) {
    const l = list(body, key, rej);
    if ('bad' in l) return { ok: false, message: l.bad };
    lists[key] = l;
  }
  if (body.traces !== undefined && body.traces !== null && !isObj(body.traces)) return { ok: false, message: 'traces must be an OTLP/JSON ExportTraceServiceRequest object' };

  const resource = { attributes: resourceOf(meta, service) };
  const pageUrl = isObj(meta.page) ? str(meta.page.url) : undefined;
  const viewName = isObj(meta.view) ? str(meta.view.name) : undefined;
  const common = (attrs: Obj[]) => {
    // Recorded as text for the user to read; never requested (WIRE.md: no fetch of payload URLs).
    if (pageUrl !== undefined) attrs.push(kv('url.full', pageUrl));
    if (viewName !== undefined) attrs.push(kv('faro.view.name', viewName));
  };

  const logRecords: Obj[] = [];
  for (const l of lists.logs) {
    if (!isObj(l) || typeof l.message !== 'string') {
      rej.add('logs: an item without a string message');
      continue;
    }
    const [sev, sevText] = SEVERITY[String(l.level)] ?? SEVERITY.info;
    const attributes: Obj[] = [kv('faro.kind', 'log')];
    stringAttrs(l.context, '', attributes);
    common(attributes);
    const rec: Obj = { timeUnixNano: timeNs(l.timestamp, nowNs), observedTimeUnixNano: String(nowNs), severityNumber: sev, severityText: sevText, body: { stringValue: l.message }, attributes };
    traceContext(l, rec);
    logRecords.push(rec);
  }
  for (const e of lists.exceptions) {
    if (!isObj(e) || (typeof e.type !== 'string' && typeof e.value !== 'string')) {
      rej.add('exceptions: an item without type or value');
      continue;
    }
    const type = str(e.type) ?? 'Error';
    const value = typeof e.value === 'string' ? e.value : '';
    const attributes: Obj[] = [kv('faro.kind', 'exception'), kv('exception.type', type), kv('exception.message', value)];
    const stack = formatStack(e.stacktrace);
    if (stack !== undefined) {
      attributes.push(kv('exception.stacktrace', `${type}: ${value}\n${stack.text}`));
      if (stack.dropped > 0) attributes.push(kv('faro.stacktrace.frames_dropped', stack.dropped));
    }
    if (typeof e.fatal === 'boolean') attributes.push(kv('exception.fatal', e.fatal));
    stringAttrs(e.context, '', attributes);
    common(attributes);
    const rec: Obj = {
      timeUnixNano: timeNs(e.timestamp, nowNs),
      observedTimeUnixNano: String(nowNs),
      severityNumber: 17,
      severityText: 'ERROR',
      eventName: 'exception',
      body: { stringValue: `${type}: ${value}` },
      attributes,
    };
    traceContext(e, rec);
    logRecords.push(rec);
  }
  for (const ev of lists.events) {
    if (!isObj(ev) || typeof ev.name !== 'string' || ev.name.length === 0) {
      rej.add('events: an item without a name');
      continue;
    }
    const attributes: Obj[] = [kv('faro.kind', 'event')];
    const domain = str(ev.domain);
    if (domain !== undefined) attributes.push(kv('event.domain', domain));
    stringAttrs(ev.attributes, '', attributes);
    common(attributes);
    const rec: Obj = { timeUnixNano: timeNs(ev.timestamp, nowNs), observedTimeUnixNano: String(nowNs), severityNumber: 9, severityText: 'INFO', eventName: ev.name, attributes };
    traceContext(ev, rec);
    logRecords.push(rec);
  }

  const metrics: Obj[] = [];
  for (const m of lists.measurements) {
    if (!isObj(m) || typeof m.type !== 'string' || !isObj(m.values)) {
      rej.add('measurements: an item without type and values');
      continue;
    }
    const attributes: Obj[] = [kv('faro.measurement.type', m.type)];
    stringAttrs(m.context, '', attributes);
    common(attributes);
    const t = timeNs(m.timestamp, nowNs);
    // The model's metric points carry no exemplars; the page's trace id is kept as an attribute.
    const ctx: Obj = {};
    traceContext(m, ctx);
    if (typeof ctx.traceId === 'string') attributes.push(kv('trace_id', ctx.traceId));
    let n = 0;
    for (const [key, value] of Object.entries(m.values)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        rej.add(`measurements: value ${JSON.stringify(key.slice(0, 64))} is not a finite number`);
        continue;
      }
      if (n++ >= FARO_LIMITS.valuesPerMeasurement) {
        rej.add(`measurements: more than ${FARO_LIMITS.valuesPerMeasurement} values in one measurement`);
        continue;
      }
      const { name, unit } = metricName(m.type, key);
      metrics.push({ name, unit, gauge: { dataPoints: [{ timeUnixNano: t, asDouble: value, attributes }] } });
    }
  }

  const scope = { name: 'faro', version: isObj(meta.sdk) ? (str(meta.sdk.version) ?? '') : '' };
  const out: FaroOtlp = { service, logCount: logRecords.length, metricCount: metrics.length, rejected: rej.count, errors: rej.errors };
  if (logRecords.length > 0) out.logs = { resourceLogs: [{ resource, scopeLogs: [{ scope, logRecords }] }] };
  if (metrics.length > 0) out.metrics = { resourceMetrics: [{ resource, scopeMetrics: [{ scope, metrics }] }] };
  if (isObj(body.traces)) out.traces = nameBrowserService(body.traces, resource.attributes, service);
  return { ok: true, value: out };
}

const WEB_VITALS_MS = new Set(['fcp', 'lcp', 'fid', 'inp', 'ttfb', 'tbt']);

/** Web vitals get stable names (`browser.web_vital.lcp`); other measurements keep their type as a prefix. */
function metricName(type: string, key: string): { name: string; unit: string } {
  const k = key.toLowerCase().replace(/[^a-z0-9_.]/g, '_').slice(0, 64) || 'value';
  if (type === 'web-vitals') return { name: `browser.web_vital.${k}`, unit: WEB_VITALS_MS.has(k) ? 'ms' : k === 'cls' ? '1' : '' };
  const t = type.toLowerCase().replace(/[^a-z0-9_.]/g, '_').slice(0, 64) || 'measurement';
  return { name: `faro.measurement.${t}.${k}`, unit: '' };
}

/**
 * Browser spans whose resource has no service.name are named by meta.app.name, and get the
 * browser resource attributes they lack. The SDK's own resource wins where it speaks.
 */
function nameBrowserService(traces: Obj, browserAttrs: Obj[], service: string): Obj {
  const rs = traces.resourceSpans ?? traces.resource_spans;
  if (!Array.isArray(rs)) return traces;
  const fixed = rs.map((r) => {
    if (!isObj(r)) return r;
    const resource = isObj(r.resource) ? r.resource : {};
    const attrs = Array.isArray(resource.attributes) ? resource.attributes.filter(isObj) : [];
    const have = new Set(attrs.map((a) => a.key));
    const nameAttr = attrs.find((a) => a.key === 'service.name');
    const nameValue = nameAttr && isObj(nameAttr.value) ? nameAttr.value.stringValue : undefined;
    const merged = attrs.filter((a) => !(a.key === 'service.name' && (typeof nameValue !== 'string' || nameValue === '' || nameValue.startsWith('unknown_service'))));
    if (!merged.some((a) => a.key === 'service.name')) merged.push(kv('service.name', service));
    for (const a of browserAttrs) if (!have.has(a.key) && a.key !== 'service.name') merged.push(a);
    return { ...r, resource: { ...resource, attributes: merged } };
  });
  return { ...traces, resourceSpans: fixed };
}

/** The same payload as the model (what the writer stores), for tests and in-process callers. */
export function decodeFaro(body: unknown, nowNs: bigint): { ok: true; batch: IngestBatch; rejected: number; errors: string[]; service: string } | { ok: false; message: string } {
  const r = faroToOtlp(body, nowNs);
  if (!r.ok) return r;
  const v = r.value;
  const spans = v.traces ? decodeOtlpJsonTraces(v.traces) : undefined;
  const logs = v.logs ? decodeOtlpJsonLogs(v.logs) : undefined;
  const metrics = v.metrics ? decodeOtlpJsonMetrics(v.metrics) : undefined;
  const fatal = spans?.fatal ?? logs?.fatal ?? metrics?.fatal;
  if (fatal !== undefined) return { ok: false, message: fatal };
  const errors = [...v.errors, ...(spans?.errors ?? []), ...(logs?.errors ?? []), ...(metrics?.errors ?? [])].slice(0, 5);
  return {
    ok: true,
    service: v.service,
    batch: { spans: spans?.items ?? [], logs: logs?.items ?? [], metrics: metrics?.items ?? [] },
    rejected: v.rejected + (spans?.rejected ?? 0) + (logs?.rejected ?? 0) + (metrics?.rejected ?? 0),
    errors,
  };
}
