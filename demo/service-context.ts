// What every demo service gets from its process: telemetry, a client for the other services,
// the broker, a router to fill, and a place to keep its SQLite files.
import { join } from 'node:path';
import type { Tracer, Meter } from '@opentelemetry/api';
import { Bus } from './bus.ts';
import { Client, Router } from './http-kit.ts';
import { TracedDb, type Dialect } from './sqlite.ts';
import type { Telemetry } from './telemetry.ts';
import { BROKER, type ServiceEnv } from './topology.ts';

export class ServiceContext {
  readonly router = new Router();
  readonly client: Client;
  readonly bus: Bus;
  readonly tracer: Tracer;
  readonly meter: Meter;
  private readonly cleanups: (() => void | Promise<void>)[] = [];

  constructor(
    readonly env: ServiceEnv,
    tel: Telemetry,
  ) {
    this.tracer = tel.tracer;
    this.meter = tel.meter;
    this.client = new Client(tel.http, env.ports);
    this.bus = new Bus(tel.http, env.ports[BROKER], tel.tracer);
    this.onStop(() => this.client.close());
    this.onStop(() => this.bus.stop());
  }

  /** Opens `<dataDir>/<file>` traced in the given attribute dialect; closed on stop. */
  database(file: string, namespace: string, dialect: Dialect): TracedDb {
    const db = new TracedDb(join(this.env.dataDir, file), namespace, dialect, this.tracer);
    this.onStop(() => db.close());
    return db;
  }

  onStop(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  async stop(): Promise<void> {
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // Stopping anyway: one failed cleanup must not keep the others from running.
      }
    }
  }

  log(message: string): void {
    process.stdout.write(`${message}\n`);
  }
}

export type ServiceModule = (ctx: ServiceContext) => void;
