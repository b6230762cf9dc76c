// Request routing for the collector port: OTLP export endpoints and self-observability.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { drain } from './body.ts';
import type { CollectorMetrics } from './metrics.ts';
import { FARO_PATH, type FaroOptions, handleFaro } from './receivers/faro.ts';
import { OTLP_PATHS, type OtlpReceiverDeps, handleOtlpExport } from './receivers/otlp.ts';
import { sendStatus, sendText } from './respond.ts';
import type { WriterClient } from './writer.ts';

export interface RouteDeps extends OtlpReceiverDeps {
  writer: WriterClient;
  metrics: CollectorMetrics;
  /** Faro receiver settings; from the environment when absent (receivers/faro.ts). */
  faro?: FaroOptions;
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q >= 0 ? u.slice(0, q) : u;
}

export function route(req: IncomingMessage, res: ServerResponse, deps: RouteDeps): Promise<void> | void {
  const path = pathOf(req.url);
  const signal = OTLP_PATHS[path];
  if (signal !== undefined) return handleOtlpExport(req, res, signal, deps);
  if (path === FARO_PATH) return handleFaro(req, res, deps);
  if (path === '/metrics' || path === '/healthz') {
    drain(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendStatus(res, 405, `method ${req.method} not allowed on ${path}; use GET`, 'json', { Allow: 'GET, HEAD' });
      return;
    }
    if (path === '/metrics') {
      sendText(res, 200, 'text/plain; version=0.0.4; charset=utf-8', deps.metrics.render());
      return;
    }
    const up = deps.writer.isUp;
    sendText(res, up ? 200 : 503, 'application/json', JSON.stringify({ status: up ? 'ok' : 'writer down', queue: deps.writer.depth }));
    return;
  }
  drain(req);
  deps.metrics.refuse('other', 'not_found');
  sendStatus(res, 404, `no route for ${req.method} ${path}; OTLP/HTTP uses POST /v1/traces, /v1/metrics, /v1/logs`);
}
