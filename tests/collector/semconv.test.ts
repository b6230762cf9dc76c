// Table tests for the semantic-convention folding (SMELLS.md alias table).
import { describe, expect, it } from 'vitest';
import type { Attributes, Span, SpanKind } from '../../lib/model/index.ts';
import { normalizeAttributes, normalizeSpan } from '../../lib/semconv/index.ts';

const cases: { name: string; kind: SpanKind; in: Attributes; out: Attributes }[] = [
  { name: 'http.method', kind: 'server', in: { 'http.method': 'GET' }, out: { 'http.request.method': 'GET' } },
  { name: 'http.status_code', kind: 'client', in: { 'http.status_code': 503 }, out: { 'http.response.status_code': 503 } },
  { name: 'http.status_code as a Zipkin string', kind: 'client', in: { 'http.status_code': '404' }, out: { 'http.response.status_code': 404 } },
  { name: 'http.url', kind: 'client', in: { 'http.url': 'https://a.example/x?y=1' }, out: { 'url.full': 'https://a.example/x?y=1' } },
  { name: 'http.target with query', kind: 'server', in: { 'http.target': '/orders/7?expand=items#top' }, out: { 'url.path': '/orders/7', 'url.query': 'expand=items' } },
  { name: 'http.target without query', kind: 'server', in: { 'http.target': '/health' }, out: { 'url.path': '/health' } },
  { name: 'http.resend_count', kind: 'client', in: { 'http.resend_count': 2 }, out: { 'http.request.resend_count': 2 } },
  { name: 'net.peer.* on a client', kind: 'client', in: { 'net.peer.name': 'db', 'net.peer.port': 5432 }, out: { 'server.address': 'db', 'server.port': 5432 } },
  { name: 'net.peer.* on a span without kind', kind: 'unspecified', in: { 'net.peer.name': 'cache' }, out: { 'server.address': 'cache' } },
  { name: 'net.host.* on a server', kind: 'server', in: { 'net.host.name': 'api', 'net.host.port': 8080 }, out: { 'server.address': 'api', 'server.port': 8080 } },
  { name: 'net.peer.* on a server names the caller', kind: 'server', in: { 'net.peer.name': '10.0.0.9', 'net.peer.port': '51234' }, out: { 'client.address': '10.0.0.9', 'client.port': 51234 } },
  { name: 'net.host.* on a client stays (it is the client itself)', kind: 'client', in: { 'net.host.name': 'me' }, out: { 'net.host.name': 'me' } },
  { name: 'peer.service', kind: 'client', in: { 'peer.service': 'billing' }, out: { 'service.peer.name': 'billing' } },
  { name: 'db.system, renamed value', kind: 'client', in: { 'db.system': 'mssql' }, out: { 'db.system.name': 'microsoft.sql_server' } },
  { name: 'db.system, same value', kind: 'client', in: { 'db.system': 'postgresql' }, out: { 'db.system.name': 'postgresql' } },
  { name: 'db.name', kind: 'client', in: { 'db.name': 'shop' }, out: { 'db.namespace': 'shop' } },
  { name: 'redis database index', kind: 'client', in: { 'db.redis.database_index': 3 }, out: { 'db.namespace': '3' } },
  { name: 'mssql instance and database', kind: 'client', in: { 'db.mssql.instance_name': 'SQL1', 'db.name': 'shop' }, out: { 'db.namespace': 'SQL1|shop' } },
  { name: 'db.statement', kind: 'client', in: { 'db.statement': 'SELECT 1' }, out: { 'db.query.text': 'SELECT 1' } },
  { name: 'db.operation', kind: 'client', in: { 'db.operation': 'SELECT' }, out: { 'db.operation.name': 'SELECT' } },
  { name: 'db.sql.table', kind: 'client', in: { 'db.sql.table': 'orders' }, out: { 'db.collection.name': 'orders' } },
  { name: 'db.mongodb.collection', kind: 'client', in: { 'db.mongodb.collection': 'carts' }, out: { 'db.collection.name': 'carts' } },
  { name: 'db.cassandra.table', kind: 'client', in: { 'db.cassandra.table': 'events' }, out: { 'db.collection.name': 'events' } },
  { name: 'messaging.operation, renamed value', kind: 'producer', in: { 'messaging.operation': 'publish' }, out: { 'messaging.operation.type': 'send' } },
  { name: 'messaging.kafka.consumer.group', kind: 'consumer', in: { 'messaging.kafka.consumer.group': 'g1' }, out: { 'messaging.consumer.group.name': 'g1' } },
  { name: 'rpc.system', kind: 'client', in: { 'rpc.system': 'grpc' }, out: { 'rpc.system.name': 'grpc' } },
  { name: 'rpc.grpc.status_code int → name', kind: 'client', in: { 'rpc.grpc.status_code': 4 }, out: { 'rpc.response.status_code': 'DEADLINE_EXCEEDED' } },
  { name: 'rpc.grpc.status_code 0', kind: 'server', in: { 'rpc.grpc.status_code': 0 }, out: { 'rpc.response.status_code': 'OK' } },
  { name: 'OpenTracing db.type / db.instance', kind: 'client', in: { 'db.type': 'sql', 'db.instance': 'orders' }, out: { 'db.system.name': 'other_sql', 'db.namespace': 'orders' } },
  { name: 'OpenTracing peer.hostname / peer.port', kind: 'client', in: { 'peer.hostname': 'pg-1', 'peer.port': 5432 }, out: { 'server.address': 'pg-1', 'server.port': 5432 } },
  { name: 'new name wins over old', kind: 'client', in: { 'db.name': 'old', 'db.namespace': 'new' }, out: { 'db.namespace': 'new' } },
  { name: 'new name wins whatever the order', kind: 'client', in: { 'http.request.method': 'POST', 'http.method': 'GET' }, out: { 'http.request.method': 'POST' } },
  { name: 'unrelated attributes untouched', kind: 'client', in: { 'app.user': 'u1', 'http.method': 'GET' }, out: { 'app.user': 'u1', 'http.request.method': 'GET' } },
];

describe('normalizeAttributes', () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(normalizeAttributes(c.in, c.kind)).toEqual(c.out);
    });
  }

  it('returns the same object when nothing needs folding', () => {
    const attrs = { 'http.request.method': 'GET', 'server.port': 443 };
    expect(normalizeAttributes(attrs, 'client')).toBe(attrs);
  });
});

function span(attributes: Attributes, kind: SpanKind = 'unspecified'): Span {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    name: 'op',
    kind,
    startNs: 1n,
    endNs: 2n,
    durationNs: 1,
    status: { code: 'unset' },
    attributes,
    events: [],
    links: [],
    resource: { serviceName: 'svc', attributes: { 'service.name': 'svc' } },
    scope: { name: 'x' },
  };
}

describe('normalizeSpan', () => {
  it('takes the kind from an OpenTracing span.kind tag and folds for that side', () => {
    const s = normalizeSpan(span({ 'span.kind': 'server', 'net.host.name': 'api', 'net.peer.name': 'caller' }));
    expect(s.kind).toBe('server');
    expect(s.attributes).toEqual({ 'server.address': 'api', 'client.address': 'caller' });
  });

  it('does not override a kind the span already has', () => {
    const s = normalizeSpan(span({ 'span.kind': 'server' }, 'client'));
    expect(s.kind).toBe('client');
    expect(s.attributes).toEqual({});
  });

  it('turns error=true into error status and drops the tag', () => {
    const s = normalizeSpan(span({ error: true, 'http.status_code': 500 }));
    expect(s.status).toEqual({ code: 'error' });
    expect(s.attributes).toEqual({ 'http.response.status_code': 500 });
  });

  it('keeps an explicit ok status over error=true', () => {
    const base = span({ error: 'true' });
    const s = normalizeSpan({ ...base, status: { code: 'ok' } });
    expect(s.status).toEqual({ code: 'ok' });
    expect(s.attributes).toEqual({});
  });

  it('keeps a non-boolean error tag (a Zipkin error message) as an attribute', () => {
    const s = normalizeSpan(span({ error: 'connection refused' }));
    expect(s.attributes).toEqual({ error: 'connection refused' });
    expect(s.status.code).toBe('unset');
  });

  it('returns the same span when nothing changes', () => {
    const s = span({ 'http.request.method': 'GET' }, 'server');
    expect(normalizeSpan(s)).toBe(s);
  });
});
