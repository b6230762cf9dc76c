// Producing to and consuming from shopbus with messaging spans: a PRODUCER span per publish
// whose context travels in the message headers, and a CONSUMER span per message that is the
// producer's child and also links to it (semantic conventions for messaging). The HTTP
// transport underneath is left untraced (see telemetry.ts), as a Kafka client's sockets are.
import type * as Http from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { MESSAGING_SYSTEM } from './topology.ts';
import type { BrokerMessage } from './broker.ts';

export class Bus {
  private stopped = false;
  private readonly agent: Http.Agent;

  constructor(
    private readonly http: typeof Http,
    private readonly port: number,
    private readonly tracer: Tracer,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  /** Publishes under a PRODUCER span; resolves false (span in error) when the broker refused it. */
  publish(topic: string, value: unknown): Promise<boolean> {
    return this.tracer.startActiveSpan(
      `send ${topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': MESSAGING_SYSTEM,
          'messaging.destination.name': topic,
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'send',
        },
      },
      async (span) => {
        const headers: Record<string, string> = {};
        propagation.inject(context.active(), headers);
        const result = await this.request('POST', `/topics/${topic}`, JSON.stringify({ headers, value }));
        if (result.status !== 202) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error ?? `broker answered ${result.status}` });
        span.end();
        return result.status === 202;
      },
    );
  }

  /** Long-polls the topic for `group` until stop(), handling each message under a CONSUMER span. */
  async consume(topic: string, group: string, handle: (value: unknown) => Promise<void>): Promise<void> {
    while (!this.stopped) {
      const result = await this.request('GET', `/topics/${topic}/poll?group=${encodeURIComponent(group)}&max=20&waitMs=1000`);
      if (result.status !== 200) {
        // Broker not up yet (or restarting): back off briefly instead of spinning.
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      const messages = (result.body as { messages?: BrokerMessage[] }).messages ?? [];
      for (const msg of messages) await this.process(topic, group, msg, handle);
    }
  }

  stop(): void {
    this.stopped = true;
    this.agent.destroy();
  }

  private process(topic: string, group: string, msg: BrokerMessage, handle: (value: unknown) => Promise<void>): Promise<void> {
    const producerCtx = propagation.extract(context.active(), msg.headers);
    const producer = trace.getSpanContext(producerCtx);
    return this.tracer.startActiveSpan(
      `process ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        links: producer ? [{ context: producer }] : [],
        attributes: {
          'messaging.system': MESSAGING_SYSTEM,
          'messaging.destination.name': topic,
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.consumer.group.name': group,
          'messaging.message.id': String(msg.offset),
        },
      },
      producerCtx,
      async (span) => {
        try {
          await handle(msg.value);
        } catch (err) {
          span.recordException(err as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        } finally {
          span.end();
        }
      },
    );
  }

  private request(method: string, path: string, payload?: string): Promise<{ status: number; body?: unknown; error?: string }> {
    return new Promise((resolve) => {
      const req = this.http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          agent: this.agent,
          timeout: 5000,
          headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
            } catch {
              resolve({ status: res.statusCode ?? 0 });
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('broker timed out')));
      req.on('error', (err) => resolve({ status: 0, error: err.message }));
      req.end(payload);
    });
  }
}
