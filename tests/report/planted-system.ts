// A small shop whose traces carry known smells, written as OTLP JSON-lines (one
// ExportTraceServiceRequest per trace, as the OpenTelemetry Collector's file exporter writes):
//   planted: a 6-service synchronous chain (gateway → orders → pricing → stock → warehouse →
//            shipping), orders and stock both writing shop.inventory (a shared table), and an
//            N+1 query loop in orders (12 one-row SELECTs under one request).
//   clean:   the same shop cut right: gateway → orders → pricing, one batched query, and an
//            own database for pricing.
// Deterministic (ids and times from the trace index), so reports over it can be snapshots.

export type Variant = 'planted' | 'clean';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string } }[];
  status?: { code: number };
}

const SERVER = 2;
const CLIENT = 3;
const BASE_NS = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });

class TraceBuilder {
  readonly byService = new Map<string, OtlpSpan[]>();
  private next = 1;
  constructor(
    readonly traceId: string,
    readonly startNs: bigint,
    /** Distinct per trace: span ids are derived from it. */
    private readonly seq: bigint,
  ) {}

  span(service: string, s: Omit<OtlpSpan, 'traceId' | 'spanId' | 'startTimeUnixNano' | 'endTimeUnixNano'> & { atMs: number; durMs: number }): string {
    const spanId = (this.seq * 256n + BigInt(this.next++)).toString(16).padStart(16, '0');
    const start = this.startNs + BigInt(Math.round(s.atMs * 1e6));
    const span: OtlpSpan = {
      traceId: this.traceId,
      spanId,
      name: s.name,
      kind: s.kind,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + BigInt(Math.round(s.durMs * 1e6))).toString(),
      attributes: s.attributes,
    };
    if (s.parentSpanId) span.parentSpanId = s.parentSpanId;
    if (s.status) span.status = s.status;
    const list = this.byService.get(service) ?? [];
    list.push(span);
    this.byService.set(service, list);
    return spanId;
  }

  /** A CLIENT span in `from` and its SERVER child in `to`; returns the server span id. */
  call(from: string, to: string, parent: string, route: string, atMs: number, durMs: number): string {
    const client = this.span(from, {
      name: `GET ${route}`,
      kind: CLIENT,
      parentSpanId: parent,
      atMs,
      durMs,
      attributes: [str('http.request.method', 'GET'), str('server.address', to), int('server.port', 8080), str('url.full', `http://${to}:8080${route}`), int('http.response.status_code', 200)],
    });
    return this.span(to, {
      name: `GET ${route}`,
      kind: SERVER,
      parentSpanId: client,
      atMs: atMs + 0.5,
      durMs: durMs - 1,
      attributes: [str('http.request.method', 'GET'), str('http.route', route), str('url.path', route), int('http.response.status_code', 200)],
    });
  }

  db(service: string, parent: string, op: 'SELECT' | 'UPDATE' | 'INSERT', table: string, query: string, atMs: number, durMs: number, database = 'shop'): void {
    this.span(service, {
      name: `${op} ${database}.${table}`,
      kind: CLIENT,
      parentSpanId: parent,
      atMs,
      durMs,
      attributes: [
        str('db.system.name', 'postgresql'),
        str('db.namespace', database),
        str('server.address', `${database}-db`),
        int('server.port', 5432),
        str('db.operation.name', op),
        str('db.collection.name', table),
        str('db.query.text', query),
      ],
    });
  }

  toRequest(): unknown {
    return {
      resourceSpans: [...this.byService].map(([service, spans]) => ({
        resource: { attributes: [str('service.name', service), str('service.version', '1.4.2'), str('deployment.environment.name', 'ci')] },
        scopeSpans: [{ scope: { name: 'faultline-planted', version: '1.0.0' }, spans }],
      })),
    };
  }
}

export function traceId(i: number, salt = 0): string {
  return (BigInt(salt) * 0x1_0000_0000n + BigInt(i + 1)).toString(16).padStart(32, 'a');
}

/** One trace of the shop as an OTLP ExportTraceServiceRequest object. */
export function shopTrace(i: number, variant: Variant, salt = 0): unknown {
  const t = new TraceBuilder(traceId(i, salt), BASE_NS + BigInt(i) * 250_000_000n, BigInt(salt) * 0x1_0000_0000n + BigInt(i + 1));
  const root = t.span('gateway', {
    name: 'GET /api/v1/checkout',
    kind: SERVER,
    atMs: 0,
    durMs: 220,
    attributes: [str('http.request.method', 'GET'), str('http.route', '/api/v1/checkout'), str('url.path', '/api/v1/checkout'), int('http.response.status_code', 200)],
  });
  const orders = t.call('gateway', 'orders', root, '/v1/orders/{id}', 2, 210);
  if (variant === 'planted') {
    // N+1: one SELECT per order line, one after the other.
    for (let k = 0; k < 12; k++) t.db('orders', orders, 'SELECT', 'order_lines', `SELECT * FROM order_lines WHERE id = $1`, 4 + k * 6, 5);
    t.db('orders', orders, 'UPDATE', 'inventory', 'UPDATE inventory SET reserved = reserved + 1 WHERE sku = $1', 80, 4);
    const pricing = t.call('orders', 'pricing', orders, '/v1/prices', 86, 110);
    const stock = t.call('pricing', 'stock', pricing, '/v1/stock', 88, 100);
    t.db('stock', stock, 'UPDATE', 'inventory', 'UPDATE inventory SET available = available - 1 WHERE sku = $1', 90, 4);
    const warehouse = t.call('stock', 'warehouse', stock, '/v1/bins', 96, 80);
    t.call('warehouse', 'shipping', warehouse, '/v1/slots', 98, 70);
  } else {
    t.db('orders', orders, 'SELECT', 'order_lines', 'SELECT * FROM order_lines WHERE order_id = $1', 4, 6);
    const pricing = t.call('orders', 'pricing', orders, '/v1/prices', 12, 40);
    t.db('pricing', pricing, 'SELECT', 'prices', 'SELECT * FROM prices WHERE sku = ANY($1)', 14, 5, 'pricing');
  }
  return t.toRequest();
}

/** The whole file: `traces` lines of OTLP JSON. */
export function shopJsonLines(traces: number, variant: Variant): string {
  const lines: string[] = [];
  for (let i = 0; i < traces; i++) lines.push(JSON.stringify(shopTrace(i, variant)));
  return lines.join('\n') + '\n';
}
