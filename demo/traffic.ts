// Shoppers: requests to the gateway at a rate that rises and falls like a day (a sine, five
// minutes a cycle, so a demo shows a whole "day"), with short bursts (a newsletter goes out).
// Bounded: never above maxRate, never more than maxInFlight open requests (the rest are shed
// and counted). The supervisor process runs it; it is not instrumented — shoppers are outside.
import { Agent, request } from 'node:http';

export interface TrafficOptions {
  gatewayPort: number;
  /** Mean requests per second. */
  baseRate: number;
  random?: () => number;
}

export interface TrafficStats {
  sent: number;
  ok: number;
  failed: number;
  /** Requests not sent because maxInFlight were still open. */
  shed: number;
}

export const DAY_MS = 300_000;
const AMPLITUDE = 0.35;
const BURST_FACTOR = 1.8;
const BURST_MS = 6_000;

/** Requests per second at `sinceStartMs`; pure, so the shape is testable. */
export function rateAt(sinceStartMs: number, baseRate: number, inBurst: boolean): number {
  const diurnal = 1 + AMPLITUDE * Math.sin((2 * Math.PI * sinceStartMs) / DAY_MS);
  return Math.min(baseRate * diurnal * (inBurst ? BURST_FACTOR : 1), maxRate(baseRate));
}

export function maxRate(baseRate: number): number {
  return baseRate * 2.5;
}

export type Journey = { method: 'GET' | 'POST'; path: string; body?: unknown };

/** What one shopper does: browse the home page, look at a product, or check out. */
export function pickJourney(random: () => number): Journey {
  const user = `user-${1 + Math.floor(random() * 50)}`;
  const r = random();
  if (r < 0.4) return { method: 'GET', path: `/api/v1/home?user=${user}` };
  if (r < 0.75) return { method: 'GET', path: `/api/v1/products/${1 + Math.floor(random() * 40)}` };
  const n = 1 + Math.floor(random() * 3);
  const items = Array.from({ length: n }, () => ({ productId: 1 + Math.floor(random() * 40), quantity: 1 + Math.floor(random() * 2) }));
  return { method: 'POST', path: '/api/v1/checkout', body: { user, items } };
}

export class TrafficGenerator {
  readonly stats: TrafficStats = { sent: 0, ok: 0, failed: 0, shed: 0 };
  private readonly random: () => number;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly maxInFlight = 40;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private startMs = 0;
  private burstUntilMs = 0;
  private nextBurstMs = 0;
  private stopped = false;

  constructor(private readonly opts: TrafficOptions) {
    this.random = opts.random ?? Math.random;
  }

  start(): void {
    this.startMs = Date.now();
    this.nextBurstMs = this.startMs + 30_000 + this.random() * 30_000;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.agent.destroy();
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = Date.now();
    if (now >= this.nextBurstMs) {
      this.burstUntilMs = now + BURST_MS;
      this.nextBurstMs = now + 40_000 + this.random() * 40_000;
    }
    const rate = rateAt(now - this.startMs, this.opts.baseRate, now < this.burstUntilMs);
    // Poisson arrivals: exponential gaps at the current rate.
    const gapMs = (-Math.log(1 - this.random()) / rate) * 1000;
    this.timer = setTimeout(() => {
      this.send();
      this.schedule();
    }, Math.min(gapMs, 5000));
  }

  private send(): void {
    if (this.inFlight >= this.maxInFlight) {
      this.stats.shed++;
      return;
    }
    const j = pickJourney(this.random);
    const payload = j.body === undefined ? undefined : JSON.stringify(j.body);
    this.inFlight++;
    this.stats.sent++;
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      this.inFlight--;
      if (ok) this.stats.ok++;
      else this.stats.failed++;
    };
    const req = request(
      {
        host: '127.0.0.1',
        port: this.opts.gatewayPort,
        method: j.method,
        path: j.path,
        agent: this.agent,
        timeout: 10_000,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => done((res.statusCode ?? 500) < 500));
        res.on('error', () => done(false));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done(false));
    req.end(payload);
  }
}
