// A few lines of routing and a JSON client over node:http: enough framework for the demo's
// services, and it names each server span by its route (`GET /v1/products/:id`) the way
// Express or Fastify instrumentation would, so the analysis sees routes, not raw paths.
import type * as Http from 'node:http';
import { trace } from '@opentelemetry/api';
import type { PortMap, ServiceName } from './topology.ts';

export interface Request {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export interface Reply {
  status: number;
  body: unknown;
}

export type Handler = (req: Request) => Promise<Reply> | Reply;

interface Route {
  method: string;
  route: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

const MAX_BODY_BYTES = 256 * 1024;

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, route: string, handler: Handler): this {
    const keys: string[] = [];
    const source = route.replace(/:([a-zA-Z]+)/g, (_, k: string) => {
      keys.push(k);
      return '([^/]+)';
    });
    this.routes.push({ method, route, pattern: new RegExp(`^${source}$`), keys, handler });
    return this;
  }

  listener(): Http.RequestListener {
    return (req, res) => {
      void this.handle(req, res);
    };
  }

  private async handle(req: Http.IncomingMessage, res: Http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return send(res, 200, { ok: true });
    let found: { route: Route; match: RegExpExecArray } | undefined;
    for (const route of this.routes) {
      const match = route.method === req.method ? route.pattern.exec(url.pathname) : null;
      if (match) {
        found = { route, match };
        break;
      }
    }
    if (!found) return send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
    const { route, match } = found;
    const span = trace.getActiveSpan();
    span?.setAttribute('http.route', route.route);
    span?.updateName(`${route.method} ${route.route}`);
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (err) {
      return send(res, 400, { error: (err as Error).message });
    }
    const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(match[i + 1])]));
    try {
      const reply = await route.handler({ params, query: url.searchParams, body });
      send(res, reply.status, reply.body);
    } catch (err) {
      span?.recordException(err as Error);
      send(res, 500, { error: (err as Error).message });
    }
  }
}

function send(res: Http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readJson(req: Http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

export interface CallResult {
  /** HTTP status, or 0 when no response came (refused, reset, timed out). */
  status: number;
  body: unknown;
  error?: string;
}

/** JSON calls to the other shop services over the (instrumented) http module. */
export class Client {
  private readonly agent: Http.Agent;

  constructor(
    private readonly http: typeof Http,
    private readonly ports: PortMap,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  }

  call(target: ServiceName, method: string, path: string, body?: unknown, timeoutMs = 3000): Promise<CallResult> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve) => {
      const req = this.http.request(
        {
          host: '127.0.0.1',
          port: this.ports[target],
          method,
          path,
          agent: this.agent,
          headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', (err) => resolve({ status: 0, body: undefined, error: err.message }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      req.on('error', (err) => resolve({ status: 0, body: undefined, error: err.message }));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Simulated work: a little latency with a tail, so RED charts and waterfalls look alive. */
export const work = (baseMs: number) => sleep(baseMs * (0.6 + Math.random() * 0.8) + (Math.random() < 0.03 ? baseMs * 4 : 0));
