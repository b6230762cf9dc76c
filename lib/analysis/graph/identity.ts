// Who is on the other end of a span that has no instrumented counterpart: a database, a
// broker topic, or an uninstrumented peer. Identities are stable strings so the same resource
// seen by many services, in many traces, lands on one node.
import type { AttributeValue, Span } from '../../model/index.ts';
import { normalizeServiceName } from '../service-name.ts';
import { isWriteOperation, parseSqlTables, type SqlTables } from './sql-tables.ts';

function str(v: AttributeValue | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** `server.address[:server.port]`, else the host[:port] of `url.full`; undefined when neither. */
export function peerAddress(span: Span): string | undefined {
  const a = span.attributes;
  const host = str(a['server.address']);
  if (host) {
    const port = str(a['server.port']);
    return port ? `${host}:${port}` : host;
  }
  const url = str(a['url.full']);
  if (url) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?/i.exec(url);
    if (m) return m[2] ? `${m[1]}:${m[2]}` : m[1];
  }
  return undefined;
}

export const UNKNOWN_PEER = 'unknown';

/** The name of an uninstrumented peer: `service.peer.name`, else its address, else `unknown`. */
export function peerName(span: Span): { name: string; fromServiceName: boolean } {
  const svc = str(span.attributes['service.peer.name']);
  if (svc) return { name: svc, fromServiceName: true };
  return { name: peerAddress(span) ?? UNKNOWN_PEER, fromServiceName: false };
}

/**
 * `ext:<peer>`; a peer nobody named is `ext:unknown@<caller>`, one per caller, because one shared
 * "unknown" node would join unrelated services into a fake hub.
 */
export function externalId(peer: string, caller: string): string {
  return peer === UNKNOWN_PEER ? `ext:${UNKNOWN_PEER}@${caller}` : `ext:${peer}`;
}

// Zipkin and OpenTracing data name the database only by the remote service name, which is often
// just the product ("mysql"). That is the type, not an identity: it picks the system only.
const DB_PRODUCTS: Record<string, string> = {
  mysql: 'mysql', mariadb: 'mariadb', postgres: 'postgresql', postgresql: 'postgresql', pg: 'postgresql',
  redis: 'redis', memcache: 'memcached', memcached: 'memcached', mongodb: 'mongodb', mongo: 'mongodb',
  cassandra: 'cassandra', elasticsearch: 'elasticsearch', opensearch: 'opensearch', mssql: 'microsoft.sql_server',
  sqlserver: 'microsoft.sql_server', oracle: 'oracle.db', sqlite: 'sqlite', dynamodb: 'aws.dynamodb',
  couchbase: 'couchbase', clickhouse: 'clickhouse', cockroachdb: 'cockroachdb', neo4j: 'neo4j',
};

export function dbProductFromPeer(name: string | undefined): string | undefined {
  return name ? DB_PRODUCTS[normalizeServiceName(name)] : undefined;
}

export interface DbIdentity {
  id: string;
  name: string;
  system: string;
  address: string;
  namespace: string;
  /**
   * False when the spans name neither an address nor a namespace: then the node is per calling
   * service (id ends in `@service`), because one node per product would make every database look
   * shared. Rules should report such databases as "not evaluated", not as unshared.
   */
  identityKnown: boolean;
}

export function dbIdentity(span: Span, service: string): DbIdentity {
  const a = span.attributes;
  const peer = str(a['service.peer.name']);
  const peerProduct = dbProductFromPeer(peer);
  const system = (str(a['db.system.name']) ?? peerProduct ?? 'unknown').toLowerCase();
  // A peer name that is more than the product ("orders-db", "app_db") names the instance.
  const address = peerAddress(span) ?? (peer && !peerProduct ? peer : '');
  const namespace = str(a['db.namespace']) ?? '';
  if (address || namespace) {
    return {
      id: `db:${system}|${address}|${namespace}`,
      name: `${system} ${namespace || '-'}@${address || '?'}`,
      system,
      address,
      namespace,
      identityKnown: true,
    };
  }
  return { id: `db:${system}||@${service}`, name: `${system} (${service})`, system, address: '', namespace: '', identityKnown: false };
}

export interface DbAccess {
  /** Upper-case operation (SELECT, INSERT, FIND, GET, …), '' when unknown. */
  operation: string;
  reads: string[];
  writes: string[];
}

const sqlCache = new Map<string, SqlTables>();
const SQL_CACHE_LIMIT = 5_000;

function parseCached(q: string): SqlTables {
  let r = sqlCache.get(q);
  if (!r) {
    r = parseSqlTables(q);
    if (sqlCache.size >= SQL_CACHE_LIMIT) sqlCache.clear();
    sqlCache.set(q, r);
  }
  return r;
}

/** Tables a db span touches, and whether it writes them. */
export function dbAccess(span: Span): DbAccess {
  const a = span.attributes;
  const opAttr = str(a['db.operation.name']);
  const collection = str(a['db.collection.name']);
  const query = str(a['db.query.text']);
  if (collection) {
    const parsedOp = !opAttr && query ? parseCached(query).operation : '';
    const operation = (opAttr ?? parsedOp).toUpperCase();
    const table = collection.toLowerCase();
    return isWriteOperation(operation) ? { operation, reads: [], writes: [table] } : { operation, reads: [table], writes: [] };
  }
  if (query) {
    const p = parseCached(query);
    const operation = (opAttr ?? p.operation).toUpperCase();
    return { operation, reads: p.reads, writes: p.writes };
  }
  return { operation: (opAttr ?? '').toUpperCase(), reads: [], writes: [] };
}

export interface TopicIdentity {
  id: string;
  name: string;
  system: string;
  destination: string;
}

/** The queue/topic node for a producer or consumer span; `other` fills gaps from the paired half. */
export function topicIdentity(span: Span, other?: Span): TopicIdentity {
  const pick = (k: string): string | undefined => str(span.attributes[k]) ?? (other ? str(other.attributes[k]) : undefined);
  const system = (pick('messaging.system') ?? str(span.attributes['service.peer.name']) ?? (other ? str(other.attributes['service.peer.name']) : undefined) ?? 'unknown').toLowerCase();
  const destination = pick('messaging.destination.name') ?? '';
  return { id: `queue:${system}|${destination}`, name: destination ? `${system} ${destination}` : system, system, destination };
}
