// Folds old semantic-convention names into the new ones (table in aliases.ts). Called exactly
// once per span, by the decoders, so everything downstream reads only the new names.
import type { AttributeValue, Attributes, Span, SpanKind } from '../model/index.ts';
import {
  ALIAS_KEYS,
  DB_SYSTEM_VALUES,
  GRPC_STATUS_NAMES,
  INT_KEYS,
  MESSAGING_OPERATION_VALUES,
  RENAMES,
  SIDE_RENAMES,
} from './aliases.ts';

const OPENTRACING_KINDS: Readonly<Record<string, SpanKind>> = {
  client: 'client',
  server: 'server',
  producer: 'producer',
  consumer: 'consumer',
  internal: 'internal',
};

/** Which end of a call a span kind describes: only a SERVER span names itself with net.host.*. */
export function sideOf(kind: SpanKind): 'client' | 'server' {
  return kind === 'server' ? 'server' : 'client';
}

function needsWork(attrs: Attributes): boolean {
  for (const k in attrs) {
    if (ALIAS_KEYS.has(k)) return true;
    if (INT_KEYS.has(k) && typeof attrs[k] === 'string') return true;
  }
  return false;
}

function toInt(v: AttributeValue): AttributeValue {
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim())) return Number(v.trim());
  return v;
}

/** Splits an old http.target ("/path?query#frag") into url.path and url.query. */
function splitTarget(target: string): { path: string; query?: string } {
  const hash = target.indexOf('#');
  const noFrag = hash >= 0 ? target.slice(0, hash) : target;
  const q = noFrag.indexOf('?');
  if (q < 0) return { path: noFrag };
  return { path: noFrag.slice(0, q), query: noFrag.slice(q + 1) };
}

function grpcStatusName(v: AttributeValue): string | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (Number.isInteger(n) && n >= 0) return GRPC_STATUS_NAMES[n] ?? String(n);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function renameValue(newKey: string, v: AttributeValue): AttributeValue {
  if (newKey === 'db.system.name' && typeof v === 'string') return DB_SYSTEM_VALUES[v] ?? v;
  if (newKey === 'messaging.operation.type' && typeof v === 'string') return MESSAGING_OPERATION_VALUES[v] ?? v;
  if (newKey === 'db.namespace' && typeof v !== 'string' && v !== null && typeof v !== 'object') return String(v);
  if (INT_KEYS.has(newKey)) return toInt(v);
  return v;
}

/**
 * Returns attributes with old names folded to new ones. When both an old and its new name are
 * present the new one wins and the old one is dropped. Returns the same object when nothing
 * needs folding (the common case for current SDKs), so the hot path allocates nothing.
 */
export function normalizeAttributes(attrs: Attributes, kind: SpanKind): Attributes {
  if (!needsWork(attrs)) return attrs;
  const side = SIDE_RENAMES[sideOf(kind)];
  const out: Attributes = {};
  // New names first, so an old alias never overwrites a value the instrumentation set itself.
  for (const k in attrs) {
    if (ALIAS_KEYS.has(k)) continue;
    const v = attrs[k];
    out[k] = INT_KEYS.has(k) ? toInt(v) : v;
  }
  const setIfAbsent = (key: string, v: AttributeValue | undefined) => {
    if (v !== undefined && out[key] === undefined) out[key] = renameValue(key, v);
  };
  for (const k in attrs) {
    if (!ALIAS_KEYS.has(k)) continue;
    const v = attrs[k];
    const sideKey = side[k];
    if (sideKey !== undefined) {
      setIfAbsent(sideKey, v);
      continue;
    }
    const renamed = RENAMES[k];
    if (renamed !== undefined) {
      setIfAbsent(renamed, v);
      continue;
    }
    switch (k) {
      case 'http.target':
        if (typeof v === 'string') {
          const { path, query } = splitTarget(v);
          if (out['url.path'] === undefined) {
            out['url.path'] = path;
            if (query !== undefined && out['url.query'] === undefined) out['url.query'] = query;
          }
        } else {
          out[k] = v;
        }
        break;
      case 'rpc.grpc.status_code':
        setIfAbsent('rpc.response.status_code', grpcStatusName(v));
        break;
      case 'db.redis.database_index':
        setIfAbsent('db.namespace', v === null ? undefined : String(v));
        break;
      case 'db.mssql.instance_name':
        // Combined with the database name after the loop, once db.namespace is settled.
        break;
      case 'net.host.name':
      case 'net.host.port':
        // A client's own host name says nothing about the call; keep it under its own name.
        out[k] = v;
        break;
      // span.kind and error are span-level, folded by normalizeSpan; as plain attributes they stay.
      default:
        out[k] = v;
    }
  }
  const instance = attrs['db.mssql.instance_name'];
  if (instance !== undefined && instance !== null) {
    // New conventions name an MSSQL database "instance|database".
    const db = out['db.namespace'];
    if (typeof db === 'string' && db !== '') {
      if (!db.includes('|')) out['db.namespace'] = `${String(instance)}|${db}`;
    } else {
      out['db.namespace'] = String(instance);
    }
  }
  return out;
}

/**
 * Normalizes one span: OpenTracing `span.kind` and `error=true` tags become the span's kind and
 * error status (when the span has none), then attributes are folded for the span's side.
 * Returns the same object when nothing changes.
 */
export function normalizeSpan(span: Span): Span {
  const attrs = span.attributes;
  if (!needsWork(attrs)) return span;
  let kind = span.kind;
  let status = span.status;
  let rest = attrs;
  const otKind = attrs['span.kind'];
  const otError = attrs['error'];
  if (otKind !== undefined || otError === true || otError === 'true' || otError === false || otError === 'false') {
    rest = { ...attrs };
    if (typeof otKind === 'string' && OPENTRACING_KINDS[otKind.toLowerCase()] !== undefined) {
      if (kind === 'unspecified') kind = OPENTRACING_KINDS[otKind.toLowerCase()];
      delete rest['span.kind'];
    }
    if (otError === true || otError === 'true') {
      if (status.code === 'unset') status = { code: 'error', ...(status.message ? { message: status.message } : {}) };
      delete rest['error'];
    } else if (otError === false || otError === 'false') {
      delete rest['error'];
    }
  }
  const attributes = normalizeAttributes(rest, kind);
  if (attributes === attrs && kind === span.kind && status === span.status) return span;
  return { ...span, kind, status, attributes };
}
