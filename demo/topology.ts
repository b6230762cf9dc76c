// The shop's shape: which services exist, how they are released, and how a service process
// learns where the others listen (the supervisor hands every process the same port map).

export const SERVICES = [
  'gateway',
  'web-bff',
  'catalog',
  'orders',
  'payments',
  'inventory',
  'shipping',
  'notifications',
  'recommendations',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The message broker: a process of its own, not instrumented (like a managed Kafka). */
export const BROKER = 'shopbus';
export const MESSAGING_SYSTEM = 'shopbus';
export const ORDER_EVENTS_TOPIC = 'order-events';

/** Versions each service starts with; the lockstep pair's versions change on every release. */
export const INITIAL_VERSIONS: Record<ServiceName, string> = {
  gateway: '2.3.0',
  'web-bff': '5.1.2',
  catalog: '3.8.0',
  orders: '4.0.1',
  payments: '1.9.4',
  inventory: '2.2.0',
  shipping: '1.4.3',
  notifications: '1.0.0',
  recommendations: '1.0.0',
};

/** Released together on one schedule (the planted lockstep-deploy smell): they share a profile schema. */
export const LOCKSTEP: readonly ServiceName[] = ['recommendations', 'notifications'];

/**
 * Time from the start of release `releaseIndex` (0: the shop's start) to the next one: four
 * quick releases so `lockstep-deploy` (≥3 releases each) can show within the first minute,
 * then a slow train so restarts do not cost CPU all day. Counted start to start, so a slow
 * restart does not push the schedule back.
 */
export function releaseDelaysMs(releaseIndex: number): number {
  if (releaseIndex === 0) return 10_000;
  return releaseIndex < 4 ? 12_000 : 120_000;
}

export function versionFor(service: ServiceName, release: number): string {
  if (release === 0) return INITIAL_VERSIONS[service];
  return `1.${release}.0`;
}

export type PortMap = Record<ServiceName | typeof BROKER, number>;

/** Environment the supervisor gives each process; read once at start. */
export interface ServiceEnv {
  service: ServiceName;
  version: string;
  ports: PortMap;
  dataDir: string;
  /** Epoch ms when the demo started: schedules (payments' outages) count from here. */
  t0Ms: number;
}

export function readServiceEnv(env: NodeJS.ProcessEnv): ServiceEnv {
  const service = env.DEMO_SERVICE as ServiceName | undefined;
  if (!service || !SERVICES.includes(service)) throw new Error(`DEMO_SERVICE must be one of ${SERVICES.join(', ')}, got '${service ?? ''}'`);
  const ports = JSON.parse(env.DEMO_PORTS ?? '{}') as PortMap;
  for (const name of [...SERVICES, BROKER] as const) {
    if (!Number.isInteger(ports[name]) || ports[name] <= 0) throw new Error(`DEMO_PORTS has no port for ${name}`);
  }
  if (!env.DEMO_DATA_DIR) throw new Error('DEMO_DATA_DIR is not set');
  return {
    service,
    version: env.DEMO_VERSION || INITIAL_VERSIONS[service],
    ports,
    dataDir: env.DEMO_DATA_DIR,
    t0Ms: Number(env.DEMO_T0_MS) || Date.now(),
  };
}
