// Reads a request body with hard limits on both the bytes received and the bytes after
// decompression. Node's streaming zlib has no output cap, so inflated bytes are counted here
// and the inflater is destroyed the moment the limit is passed: a gzip bomb never inflates
// beyond one zlib chunk past the limit.
import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { bodyBytesRead } from '../lib/runtime/young-gc.ts';

export type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; status: 400 | 413 | 415; message: string };

/** Bytes of a refused body we still read (and discard) so the client sees our answer, not a reset. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

export function drain(req: IncomingMessage): void {
  let seen = 0;
  req.on('data', (c: Buffer) => {
    seen += c.length;
    bodyBytesRead(c.length);
    if (seen > DRAIN_LIMIT) req.destroy();
  });
  req.on('error', () => {});
  req.resume();
}

export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toString().trim().toLowerCase();
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    drain(req);
    return Promise.resolve({ ok: false, status: 413, message: `request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes` });
  }
  let inflater: zlib.Gunzip | zlib.Inflate | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') inflater = zlib.createGunzip();
  else if (encoding === 'deflate') inflater = zlib.createInflate();
  else if (encoding !== 'identity' && encoding !== '') {
    drain(req);
    return Promise.resolve({ ok: false, status: 415, message: `unsupported Content-Encoding ${JSON.stringify(encoding)} (gzip, deflate or identity)` });
  }

  return new Promise<BodyResult>((resolve) => {
    let done = false;
    const chunks: Buffer[] = [];
    let rawBytes = 0;
    let outBytes = 0;
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      // The chunks (and inflated chunks) are garbage from here on.
      bodyBytesRead(rawBytes + outBytes);
      if (!r.ok) {
        if (inflater) {
          inflater.removeAllListeners('data');
          inflater.destroy();
        }
        req.unpipe();
        drain(req);
        chunks.length = 0;
      }
      resolve(r);
    };
    const tooLarge = (what: string, n: number) =>
      finish({ ok: false, status: 413, message: `${what} body exceeds the limit of ${maxBytes} bytes (at least ${n})` });

    req.on('error', () => finish({ ok: false, status: 400, message: 'request body was interrupted' }));
    req.on('aborted', () => finish({ ok: false, status: 400, message: 'request body was interrupted' }));
    req.on('data', (c: Buffer) => {
      rawBytes += c.length;
      if (rawBytes > maxBytes) tooLarge('request', rawBytes);
    });

    if (inflater === undefined) {
      req.on('data', (c: Buffer) => {
        if (!done) chunks.push(c);
      });
      req.on('end', () => finish({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, rawBytes) }));
      return;
    }
    const z = inflater;
    z.on('data', (c: Buffer) => {
      if (done) return;
      outBytes += c.length;
      if (outBytes > maxBytes) {
        tooLarge('decompressed', outBytes);
        return;
      }
      chunks.push(c);
    });
    z.on('error', (err: Error) => finish({ ok: false, status: 400, message: `invalid ${encoding} body: ${err.message}` }));
    z.on('end', () => finish({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, outBytes) }));
    req.on('end', () => {
      if (rawBytes === 0) finish({ ok: true, body: Buffer.alloc(0) });
    });
    req.pipe(z);
  });
}
