// The one table of semantic-convention aliases (SMELLS.md "Attribute aliases"). Old names are
// folded to the new ones once, at the boundary, so analysis code reads only the new names.
//
// Kinds of entries:
// - RENAMES: a plain rename; the value is kept (possibly re-typed, see INT_KEYS / STRING_KEYS).
// - side-dependent peer/host names live in SIDE_RENAMES, keyed by which end of a call the span is.
// - URL splitting, gRPC status, OpenTracing `span.kind` and `error` are handled in normalize.ts.

/** old name → new name, independent of span kind. */
export const RENAMES: Readonly<Record<string, string>> = {
  'http.method': 'http.request.method',
  'http.status_code': 'http.response.status_code',
  'http.url': 'url.full',
  'http.scheme': 'url.scheme',
  'http.user_agent': 'user_agent.original',
  'http.resend_count': 'http.request.resend_count',
  'http.client_ip': 'client.address',
  'peer.service': 'service.peer.name',
  'db.system': 'db.system.name',
  'db.name': 'db.namespace',
  'db.statement': 'db.query.text',
  'db.operation': 'db.operation.name',
  'db.sql.table': 'db.collection.name',
  'db.mongodb.collection': 'db.collection.name',
  'db.cassandra.table': 'db.collection.name',
  'db.cosmosdb.container': 'db.collection.name',
  'messaging.operation': 'messaging.operation.type',
  'messaging.kafka.consumer.group': 'messaging.consumer.group.name',
  'messaging.destination': 'messaging.destination.name',
  'rpc.system': 'rpc.system.name',
  'net.sock.peer.addr': 'network.peer.address',
  'net.sock.peer.port': 'network.peer.port',
  // OpenTracing / Jaeger tags.
  'db.type': 'db.system.name',
  'db.instance': 'db.namespace',
  'peer.hostname': 'server.address',
  'peer.ipv4': 'server.address',
  'peer.ipv6': 'server.address',
  'peer.port': 'server.port',
};

/** Which end of a call a span describes decides what net.peer.* and net.host.* mean. */
export const SIDE_RENAMES: Readonly<Record<'client' | 'server', Readonly<Record<string, string>>>> = {
  // A client (or producer, or a span without a kind: old DB/cache spans) names its peer: the server.
  client: {
    'net.peer.name': 'server.address',
    'net.peer.port': 'server.port',
  },
  // A server names itself with net.host.* and its caller with net.peer.*.
  server: {
    'net.host.name': 'server.address',
    'net.host.port': 'server.port',
    'net.peer.name': 'client.address',
    'net.peer.port': 'client.port',
  },
};

/** Keys that need more than a rename (handled in normalize.ts). */
export const SPECIAL_KEYS: readonly string[] = [
  'http.target',
  'rpc.grpc.status_code',
  'span.kind',
  'error',
  'db.redis.database_index',
  'db.mssql.instance_name',
];

/** New names whose value is an integer; string values from old tags (Zipkin, OpenTracing) are parsed. */
export const INT_KEYS: ReadonlySet<string> = new Set([
  'http.response.status_code',
  'http.request.resend_count',
  'server.port',
  'client.port',
  'network.peer.port',
]);

/** Old values of db.system whose new db.system.name value differs; a database identity must not split. */
export const DB_SYSTEM_VALUES: Readonly<Record<string, string>> = {
  mssql: 'microsoft.sql_server',
  db2: 'ibm.db2',
  cosmosdb: 'azure.cosmosdb',
  hanadb: 'sap.hana',
  maxdb: 'sap.maxdb',
  spanner: 'gcp.spanner',
  // OpenTracing's db.type "sql" names no engine.
  sql: 'other_sql',
};

/** Old messaging.operation values that were renamed in messaging.operation.type. */
export const MESSAGING_OPERATION_VALUES: Readonly<Record<string, string>> = {
  publish: 'send',
  deliver: 'process',
};

/** gRPC status codes by number, for rpc.grpc.status_code (int) → rpc.response.status_code (string). */
export const GRPC_STATUS_NAMES: readonly string[] = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

/** Every attribute key the normalizer may touch; anything else passes through without a copy. */
export const ALIAS_KEYS: ReadonlySet<string> = new Set([
  ...Object.keys(RENAMES),
  ...Object.keys(SIDE_RENAMES.client),
  ...Object.keys(SIDE_RENAMES.server),
  ...SPECIAL_KEYS,
]);
