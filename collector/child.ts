// Entry point of a collector child process (see fork.ts). Options arrive as JSON in
// FAULTLINE_COLLECTOR_OPTIONS; the parent learns the port through IPC.
import { startCollector, type CollectorOptions } from './index.ts';

type ToParent = { type: 'listening'; port: number; url: string } | { type: 'error'; message: string };

function send(msg: ToParent): void {
  process.send?.(msg);
}

const opts = JSON.parse(process.env.FAULTLINE_COLLECTOR_OPTIONS ?? '{}') as CollectorOptions;

startCollector(opts).then(
  (c) => {
    send({ type: 'listening', port: c.port, url: c.url });
    const stop = () => {
      c.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('message', (m: { type?: string }) => {
      if (m?.type === 'close') stop();
    });
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    // An orphaned collector would hold the port and the database; leave with the parent.
    process.on('disconnect', stop);
  },
  (err: unknown) => {
    send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    process.exitCode = 1;
    process.disconnect?.();
  },
);
