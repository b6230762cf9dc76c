// shopbus: the shop's message broker, a tiny in-memory log per topic with consumer-group
// offsets, over HTTP. Like a managed broker it is not instrumented itself: the producer and
// consumer spans in the services are what show the topic on the map.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface BrokerMessage {
  offset: number;
  publishedMs: number;
  headers: Record<string, string>;
  value: unknown;
}

interface Topic {
  /** Offset of log[0]: older messages were evicted. */
  base: number;
  log: BrokerMessage[];
  groups: Map<string, number>;
  waiters: Set<() => void>;
}

const MAX_MESSAGES_PER_TOPIC = 10_000;
const MAX_TOPICS = 100;
const MAX_BODY_BYTES = 64 * 1024;
const MAX_WAIT_MS = 5_000;

export interface BrokerStats {
  published: number;
  delivered: number;
  /** Messages a group never saw because the bounded log evicted them first. */
  dropped: number;
  /** Publishes refused (too many topics, oversized body). */
  rejected: number;
}

export function createBroker(): { server: Server; stats: BrokerStats } {
  const topics = new Map<string, Topic>();
  const stats: BrokerStats = { published: 0, delivered: 0, dropped: 0, rejected: 0 };

  const topicOf = (name: string): Topic | undefined => {
    let t = topics.get(name);
    if (!t) {
      if (topics.size >= MAX_TOPICS) return undefined;
      t = { base: 0, log: [], groups: new Map(), waiters: new Set() };
      topics.set(name, t);
    }
    return t;
  };

  const publish = (t: Topic, headers: Record<string, string>, value: unknown): number => {
    const offset = t.base + t.log.length;
    t.log.push({ offset, publishedMs: Date.now(), headers, value });
    if (t.log.length > MAX_MESSAGES_PER_TOPIC) {
      t.log.shift();
      t.base++;
      for (const committed of t.groups.values()) if (committed < t.base) stats.dropped++;
    }
    stats.published++;
    for (const wake of t.waiters) wake();
    t.waiters.clear();
    return offset;
  };

  const take = (t: Topic, group: string, max: number): BrokerMessage[] => {
    // A new group starts at the oldest retained message, so nothing published before its first poll is lost.
    let next = t.groups.get(group) ?? t.base;
    if (next < t.base) next = t.base;
    const batch = t.log.slice(next - t.base, next - t.base + max);
    t.groups.set(group, next + batch.length);
    stats.delivered += batch.length;
    return batch;
  };

  const server = createServer((req, res) => {
    void route(req, res).catch((err: Error) => json(res, 500, { error: err.message }));
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/stats') return json(res, 200, { ...stats, topics: [...topics].map(([name, t]) => ({ name, retained: t.log.length, groups: Object.fromEntries(t.groups) })) });
    if (url.pathname === '/healthz') return json(res, 200, { ok: true });
    const m = /^\/topics\/([\w.-]{1,100})(\/poll)?$/.exec(url.pathname);
    if (!m) return json(res, 404, { error: 'unknown path' });
    const t = topicOf(m[1]);
    if (!t) {
      stats.rejected++;
      return json(res, 507, { error: `too many topics (limit ${MAX_TOPICS})` });
    }
    if (!m[2] && req.method === 'POST') {
      const body = await readBody(req);
      if (body === undefined) {
        stats.rejected++;
        return json(res, 413, { error: `message over ${MAX_BODY_BYTES} bytes` });
      }
      let msg: { headers?: Record<string, string>; value?: unknown };
      try {
        msg = JSON.parse(body) as typeof msg;
      } catch {
        stats.rejected++;
        return json(res, 400, { error: 'message is not JSON' });
      }
      return json(res, 202, { offset: publish(t, msg.headers ?? {}, msg.value) });
    }
    if (m[2] && req.method === 'GET') {
      const group = url.searchParams.get('group') || 'default';
      const max = Math.min(Math.max(Number(url.searchParams.get('max')) || 50, 1), 500);
      const waitMs = Math.min(Math.max(Number(url.searchParams.get('waitMs')) || 0, 0), MAX_WAIT_MS);
      let batch = take(t, group, max);
      if (batch.length === 0 && waitMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, waitMs);
          function done() {
            clearTimeout(timer);
            t!.waiters.delete(done);
            resolve();
          }
          t.waiters.add(done);
          req.once('close', done);
        });
        if (res.destroyed) return;
        batch = take(t, group, max);
      }
      return json(res, 200, { messages: batch });
    }
    return json(res, 405, { error: 'method not allowed' });
  }

  return { server, stats };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body as text, or undefined when it is over the limit. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
