// One demo service process: `DEMO_SERVICE=orders node --import tsx demo/service-main.ts`.
// Telemetry first (so node:http is patched), then the service, then listen and tell the
// supervisor. SIGTERM/SIGINT, or losing the supervisor, close the server and flush telemetry.
import { startTelemetry } from './telemetry.ts';
import { ServiceContext, type ServiceModule } from './service-context.ts';
import { BROKER, readServiceEnv, SERVICES, type ServiceName } from './topology.ts';
import catalog from './services/catalog.ts';
import gateway from './services/gateway.ts';
import inventory from './services/inventory.ts';
import notifications from './services/notifications.ts';
import orders from './services/orders.ts';
import payments from './services/payments.ts';
import recommendations from './services/recommendations.ts';
import shipping from './services/shipping.ts';
import webBff from './services/web-bff.ts';

const MODULES: Record<ServiceName, ServiceModule> = {
  gateway,
  'web-bff': webBff,
  catalog,
  orders,
  payments,
  inventory,
  shipping,
  notifications,
  recommendations,
};

async function main(): Promise<void> {
  const env = readServiceEnv(process.env);
  const peers = new Map<number, string>(SERVICES.map((s) => [env.ports[s], s]));
  const tel = startTelemetry({ service: env.service, version: env.version, peers, untracedPorts: new Set([env.ports[BROKER]]) });
  const ctx = new ServiceContext(env, tel);
  MODULES[env.service](ctx);
  const server = tel.http.createServer(ctx.router.listener());
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.ports[env.service], '127.0.0.1', () => resolve());
  });
  process.send?.({ type: 'demo:ready', service: env.service, version: env.version });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeIdleConnections();
    // In-flight requests get a moment to finish; then the rest are cut.
    const cut = setTimeout(() => server.closeAllConnections(), 1000);
    await ctx.stop();
    await tel.shutdown();
    clearTimeout(cut);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.on('disconnect', () => void stop());
  // Re-parented (the supervisor was killed): stop rather than keep a port and a database open.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop();
  }, 1000).unref();
}

main().catch((err: Error) => {
  process.stderr.write(`${process.env.DEMO_SERVICE ?? 'demo service'}: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
