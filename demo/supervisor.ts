// Runs the shop: the broker and nine services, one process each, plus the shoppers. Releases
// the lockstep pair together on a schedule (stop old process, start the new version), restarts
// a service that crashes (a few times), and stops everything it started.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TrafficGenerator, type TrafficStats } from './traffic.ts';
import { BROKER, LOCKSTEP, releaseDelaysMs, SERVICES, versionFor, type PortMap, type ServiceName } from './topology.ts';

export interface DemoOptions {
  /** OTLP/HTTP base URL of the collector, e.g. http://127.0.0.1:4318 (the SDKs append /v1/traces). */
  otlpEndpoint: string;
  /** Where the services keep their SQLite files. */
  dataDir: string;
  /** Mean shopper requests per second. */
  rate: number;
  log: (line: string) => void;
}

export interface RunningDemo {
  ports: PortMap;
  traffic: TrafficStats;
  /** Resolves with a reason when the demo cannot go on (a service keeps crashing). */
  failed: Promise<string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 90_000;
const MAX_RESTARTS = 5;
const STOP_GRACE_MS = 8_000;

interface Proc {
  name: ServiceName | typeof BROKER;
  version: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** Set while the supervisor itself is stopping this process (a release or shutdown). */
  retiring: boolean;
}

// tsx's loader by absolute URL: the services must load wherever the user's working directory is.
const TSX = import.meta.resolve('tsx');
const SERVICE_MAIN = fileURLToPath(new URL('./service-main.ts', import.meta.url));
const BROKER_MAIN = fileURLToPath(new URL('./broker-main.ts', import.meta.url));

export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  mkdirSync(opts.dataDir, { recursive: true });
  const names = [BROKER, ...SERVICES] as const;
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((n, i) => [n, free[i]])) as PortMap;
  const t0Ms = Date.now();
  const procs = new Map<string, Proc>();
  const restarts = new Map<string, number>();
  let stopping = false;
  let fail: (why: string) => void = () => {};
  const failed = new Promise<string>((r) => (fail = r));
  const timers = new Set<NodeJS.Timeout>();

  const spawnProc = (name: ServiceName | typeof BROKER, version: string): Promise<Proc> => {
    const entry = name === BROKER ? BROKER_MAIN : SERVICE_MAIN;
    const child = fork(entry, [], {
      execArgv: ['--import', TSX],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: opts.otlpEndpoint,
        // orders' http spans keep the old attribute names (http.method, net.peer.name), the others
        // emit the stable ones: Faultline folds both, as it must for a real fleet mid-migration.
        OTEL_SEMCONV_STABILITY_OPT_IN: name === 'orders' ? '' : 'http',
        DEMO_SERVICE: name,
        DEMO_VERSION: version,
        DEMO_PORTS: JSON.stringify(ports),
        DEMO_BROKER_PORT: String(ports[BROKER]),
        DEMO_DATA_DIR: opts.dataDir,
        DEMO_T0_MS: String(t0Ms),
      },
    });
    forwardLines(child.stdout, `${name} | `, opts.log);
    forwardLines(child.stderr, `${name} | `, opts.log);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const proc: Proc = { name, version, child, exited, retiring: false };
    procs.set(name, proc);
    void exited.then(() => {
      if (stopping || proc.retiring || procs.get(name) !== proc) return;
      const n = (restarts.get(name) ?? 0) + 1;
      restarts.set(name, n);
      if (n > MAX_RESTARTS) return fail(`${name} crashed ${n} times`);
      opts.log(`${name} exited unexpectedly; restarting (${n}/${MAX_RESTARTS})\n`);
      const t = setTimeout(() => void spawnProc(name, version).catch((err: Error) => fail(err.message)), 1000);
      timers.add(t);
    });
    return new Promise<Proc>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
      child.on('message', (m: { type?: string }) => {
        if (m?.type === 'demo:ready') {
          clearTimeout(timer);
          resolve(proc);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${name} exited before it was ready (code ${child.exitCode ?? child.signalCode})`));
      });
    });
  };

  const retire = async (proc: Proc): Promise<void> => {
    proc.retiring = true;
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
    const killer = setTimeout(() => proc.child.kill('SIGKILL'), STOP_GRACE_MS);
    await proc.exited;
    clearTimeout(killer);
  };

  const traffic = new TrafficGenerator({ gatewayPort: ports.gateway, baseRate: opts.rate });
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    traffic.stop();
    for (const t of timers) clearTimeout(t);
    await Promise.all([...procs.values()].map(retire));
  };

  try {
    await spawnProc(BROKER, '1.0.0');
    await Promise.all(SERVICES.map((s) => spawnProc(s, versionFor(s, 0))));
  } catch (err) {
    await stop();
    throw err;
  }

  // The lockstep pair: both stopped and started with the next version at the same moment.
  let release = 0;
  let nextReleaseMs = Date.now();
  const scheduleRelease = () => {
    nextReleaseMs += releaseDelaysMs(release);
    const t = setTimeout(async () => {
      timers.delete(t);
      if (stopping) return;
      release++;
      try {
        await Promise.all(
          LOCKSTEP.map(async (s) => {
            const old = procs.get(s);
            if (old) await retire(old);
            if (!stopping) await spawnProc(s, versionFor(s, release));
          }),
        );
        if (!stopping) opts.log(`release ${release}: ${LOCKSTEP.map((s) => `${s} ${versionFor(s, release)}`).join(', ')} (together, as always)\n`);
      } catch (err) {
        if (!stopping) fail(`release ${release} failed: ${(err as Error).message}`);
        return;
      }
      scheduleRelease();
    }, Math.max(0, nextReleaseMs - Date.now()));
    timers.add(t);
  };
  scheduleRelease();
  traffic.start();
  return { ports, traffic: traffic.stats, failed, stop };
}

/** Distinct free ports, held open together so the OS cannot hand out one twice. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function forwardLines(stream: NodeJS.ReadableStream | null, prefix: string, write: (line: string) => void): void {
  if (!stream) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) write(`${prefix}${line}\n`);
  });
}
