// OTLP/HTTP export endpoints (WIRE.md): POST /v1/traces, /v1/metrics, /v1/logs, protobuf or
// JSON by Content-Type, gzip, and the exact status codes the spec gives clients to act on.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { drain, readBody } from '../body.ts';
import type { CollectorMetrics, Signal } from '../metrics.ts';
import type { Encoding } from '../protocol.ts';
import { sendExportOk, sendStatus } from '../respond.ts';
import type { WriterClient } from '../writer.ts';

export const OTLP_PATHS: Readonly<Record<string, Signal>> = {
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
  '/v1/logs': 'logs',
};

const ITEM_NAME: Record<Signal, string> = { traces: 'spans', metrics: 'data points', logs: 'log records' };

/** Seconds a client should wait before retrying when we are overloaded or the writer restarts. */
const RETRY_AFTER_S = '1';

export function encodingOf(contentType: string | undefined): Encoding | undefined {
  if (contentType === undefined) return undefined;
  const mime = contentType.split(';', 1)[0].trim().toLowerCase();
  if (mime === 'application/x-protobuf' || mime === 'application/protobuf') return 'protobuf';
  if (mime === 'application/json') return 'json';
  return undefined;
}

export interface OtlpReceiverDeps {
  writer: WriterClient;
  metrics: CollectorMetrics;
  maxBodyBytes: number;
}

export async function handleOtlpExport(req: IncomingMessage, res: ServerResponse, signal: Signal, deps: OtlpReceiverDeps): Promise<void> {
  const { metrics } = deps;
  const t0 = performance.now();
  const answer = (status: number, send: () => void) => {
    send();
    metrics.respond(signal, status);
    metrics.requestLatency.observe((performance.now() - t0) / 1000);
  };
  if (req.method !== 'POST') {
    drain(req);
    metrics.refuse(signal, 'method');
    answer(405, () => sendStatus(res, 405, `method ${req.method} not allowed on ${req.url}; use POST`, 'json', { Allow: 'POST' }));
    return;
  }
  const encoding = encodingOf(req.headers['content-type']);
  if (encoding === undefined) {
    drain(req);
    metrics.refuse(signal, 'content_type');
    answer(415, () =>
      sendStatus(res, 415, `unsupported Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')}; use application/x-protobuf or application/json`),
    );
    return;
  }
  const read = await readBody(req, deps.maxBodyBytes);
  if (!read.ok) {
    metrics.refuse(signal, read.status === 413 ? 'too_large' : read.status === 415 ? 'content_encoding' : 'bad_body');
    const headers: Record<string, string> = read.status === 413 ? { Connection: 'close' } : {};
    answer(read.status, () => sendStatus(res, read.status, read.message, encoding, headers));
    return;
  }
  if (read.body.length === 0) {
    // An empty export request is a success (WIRE.md); nothing to commit.
    answer(200, () => sendExportOk(res, signal, encoding, 0));
    return;
  }
  const submitted = deps.writer.submit(signal, encoding, read.body);
  if (!submitted.queued) {
    metrics.refuse(signal, submitted.reason);
    const why = submitted.reason === 'queue_full' ? 'the write queue is full' : 'the writer is restarting';
    answer(503, () => sendStatus(res, 503, `${why}; retry after ${RETRY_AFTER_S} s`, encoding, { 'Retry-After': RETRY_AFTER_S }));
    return;
  }
  const outcome = await submitted.outcome;
  switch (outcome.kind) {
    case 'invalid':
      metrics.refuse(signal, 'bad_request');
      answer(400, () => sendStatus(res, 400, outcome.message, encoding));
      return;
    case 'failed':
      metrics.dropped[signal] += outcome.items;
      if (outcome.transient) {
        metrics.refuse(signal, 'store_busy');
        answer(503, () => sendStatus(res, 503, `could not store: ${outcome.message}; retry after ${RETRY_AFTER_S} s`, encoding, { 'Retry-After': RETRY_AFTER_S }));
      } else {
        metrics.refuse(signal, 'store_error');
        answer(500, () => sendStatus(res, 500, `could not store: ${outcome.message}`, encoding));
      }
      return;
    case 'stored': {
      metrics.received[signal] += outcome.items + outcome.rejected;
      metrics.accepted[signal] += outcome.items;
      metrics.rejected[signal] += outcome.rejected;
      const message =
        outcome.rejected > 0 || outcome.errors.length > 0
          ? `${outcome.rejected} ${ITEM_NAME[signal]} rejected${outcome.errors.length ? ': ' + outcome.errors.join('; ') : ''}`
          : undefined;
      answer(200, () => sendExportOk(res, signal, encoding, outcome.rejected, message));
      return;
    }
  }
}
