// The shopbus broker process (see broker.ts): listens on DEMO_BROKER_PORT, stops on SIGTERM/SIGINT.
import { createBroker } from './broker.ts';

const port = Number(process.env.DEMO_BROKER_PORT);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('shopbus: DEMO_BROKER_PORT must be a port number\n');
  process.exit(1);
}
const { server, stats } = createBroker();
server.listen(port, '127.0.0.1', () => process.send?.({ type: 'demo:ready', service: 'shopbus' }));
const stop = () => {
  if (stats.dropped > 0) process.stdout.write(`shopbus: ${stats.dropped} messages evicted before delivery\n`);
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
