// The collector's HTTP server: plain node:http, one handler, errors answered, never thrown.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RouteDeps, route } from './routes.ts';
import { sendStatus } from './respond.ts';

export function createServer(deps: RouteDeps): http.Server {
  const server = http.createServer({ keepAlive: true, requestTimeout: 60_000 }, (req, res) => {
    Promise.resolve()
      .then(() => route(req, res, deps))
      .catch((err: unknown) => {
        // A bug, not a condition of the request: say so plainly, keep serving.
        if (!res.headersSent) sendStatus(res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
        else res.destroy();
      });
  });
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
