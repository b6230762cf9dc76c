// The one place that maps outcomes to HTTP answers (ARCHITECTURE.md §4.3). Bodies use the
// request's encoding: google.rpc.Status for errors, Export*ServiceResponse for success.
import type { ServerResponse } from 'node:http';
import { encodeExportResponseJson, encodeRpcStatusJson } from '../lib/otlp/json.ts';
import { encodeExportResponse, encodeRpcStatus } from '../lib/otlp/protobuf.ts';
import type { Signal } from './metrics.ts';
import type { Encoding } from './protocol.ts';

/** google.rpc.Code values used in error bodies. */
const RPC_CODE: Record<number, number> = {
  400: 3, // INVALID_ARGUMENT
  404: 5, // NOT_FOUND
  405: 12, // UNIMPLEMENTED
  413: 8, // RESOURCE_EXHAUSTED
  415: 3, // INVALID_ARGUMENT
  429: 8, // RESOURCE_EXHAUSTED
  500: 13, // INTERNAL
  503: 14, // UNAVAILABLE
};

const CONTENT_TYPE: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

export function sendStatus(
  res: ServerResponse,
  status: number,
  message: string,
  encoding: Encoding = 'json',
  headers: Record<string, string> = {},
): void {
  const body = encoding === 'protobuf' ? encodeRpcStatus(RPC_CODE[status] ?? 2, message) : encodeRpcStatusJson(RPC_CODE[status] ?? 2, message);
  res.writeHead(status, { 'Content-Type': CONTENT_TYPE[encoding], 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendExportOk(res: ServerResponse, signal: Signal, encoding: Encoding, rejected: number, errorMessage?: string): void {
  const body = encoding === 'protobuf' ? encodeExportResponse(rejected, errorMessage) : encodeExportResponseJson(signal, rejected, errorMessage);
  res.writeHead(200, { 'Content-Type': CONTENT_TYPE[encoding], 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
