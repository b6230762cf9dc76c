// Per-client token buckets for the Faro receiver: browsers are many and untrusted, so each
// client (API key, else address) gets its own budget. Pure: the caller passes `nowMs`. The
// client table is bounded; when full, the least recently seen client is forgotten (counted).

export interface RateLimitOptions {
  /** Sustained requests per second per client. */
  ratePerSec: number;
  /** Requests a client may send in a burst. */
  burst: number;
  /** Most clients remembered at once. */
  maxClients: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterS: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

export class ClientRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Clients forgotten because the table was full (they start again with a full bucket). */
  evicted = 0;
  limited = 0;

  constructor(private readonly opts: RateLimitOptions) {}

  take(client: string, nowMs: number): RateDecision {
    const { ratePerSec, burst } = this.opts;
    let b = this.buckets.get(client);
    if (b === undefined) {
      if (this.buckets.size >= this.opts.maxClients) {
        // Map iteration order is insertion order and hits re-insert: the first key is the stalest.
        const oldest = this.buckets.keys().next().value as string;
        this.buckets.delete(oldest);
        this.evicted++;
      }
      b = { tokens: burst, atMs: nowMs };
    } else {
      this.buckets.delete(client);
      const elapsed = Math.max(0, nowMs - b.atMs) / 1000;
      b = { tokens: Math.min(burst, b.tokens + elapsed * ratePerSec), atMs: nowMs };
    }
    this.buckets.set(client, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true };
    }
    this.limited++;
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil((1 - b.tokens) / ratePerSec)) };
  }

  get clients(): number {
    return this.buckets.size;
  }
}

/**
 * Origins allowed to post from a browser: exact origins, `scheme://host:*` for any port of a
 * host, or `*` for any origin. Compared after URL normalization.
 */
export function parseOrigins(list: string): string[] {
  const out: string[] = [];
  for (const raw of list.split(',')) {
    const s = raw.trim();
    if (s === '') continue;
    if (s === '*') {
      out.push('*');
      continue;
    }
    const anyPort = /^(https?):\/\/([^/:]+|\[[0-9a-fA-F:]+\]):\*\/?$/i.exec(s);
    if (anyPort) {
      try {
        const u = new URL(`${anyPort[1]}://${anyPort[2]}`);
        out.push(`${u.protocol}//${u.hostname}:*`);
      } catch {
        // unparseable host: allows nothing
      }
      continue;
    }
    try {
      const u = new URL(s);
      if (u.protocol === 'http:' || u.protocol === 'https:') out.push(u.origin);
    } catch {
      // An unparseable entry allows nothing; the receiver's config check reports it.
    }
  }
  return out;
}

export function originAllowed(origin: string, allowed: readonly string[]): boolean {
  if (allowed.includes('*')) return true;
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  return allowed.includes(u.origin) || allowed.includes(`${u.protocol}//${u.hostname}:*`);
}
