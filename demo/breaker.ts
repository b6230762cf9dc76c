// An opossum circuit breaker that reports through Faultline's convention (WIRE.md; for users,
// docs/circuit-breakers.md), since OpenTelemetry has none yet:
//  - every protected call runs in a `circuit_breaker <name>` span naming the breaker and its peer;
//  - each transition is a span event `circuit_breaker.state_change` (circuit_breaker.name,
//    circuit_breaker.state, service.peer.name), on the call that caused it, or on a short span
//    of its own when a timer caused it (opossum half-opens on a timer);
//  - a gauge `circuit_breaker.state` (0 closed, 1 open, 2 half_open) with the same attributes;
//  - a call the open breaker rejects is still a CLIENT span, marked circuit_breaker.state=open and
//    in error, so the edge's error rate shows what callers experienced.
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Meter, type Span, type Tracer } from '@opentelemetry/api';
import CircuitBreaker from 'opossum';

export type BreakerState = 'closed' | 'open' | 'half_open';
const GAUGE_VALUE: Record<BreakerState, number> = { closed: 0, open: 1, half_open: 2 };

export interface BreakerCall {
  method: string;
  url: string;
  port: number;
}

export interface Transition {
  state: BreakerState;
  atMs: number;
}

export class ReportedBreaker<T> {
  private readonly breaker: CircuitBreaker<[() => Promise<T>], T>;
  private readonly callSpans = new WeakSet<Span>();
  /** Recent transitions, for logs (bounded). */
  readonly transitions: Transition[] = [];

  constructor(
    private readonly name: string,
    private readonly peer: string,
    private readonly tracer: Tracer,
    meter: Meter,
    options: CircuitBreaker.Options,
  ) {
    // The breaker's action runs whatever call it is handed: one breaker guards every call to the peer.
    this.breaker = new CircuitBreaker<[() => Promise<T>], T>((call) => call(), { ...options, name });
    this.breaker.on('open', () => this.transition('open'));
    this.breaker.on('halfOpen', () => this.transition('half_open'));
    this.breaker.on('close', () => this.transition('closed'));
    meter
      .createObservableGauge('circuit_breaker.state', { description: 'Circuit breaker state: 0 closed, 1 open, 2 half_open' })
      .addCallback((result) => result.observe(GAUGE_VALUE[this.state()], this.attributes(this.state())));
  }

  state(): BreakerState {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half_open' : 'closed';
  }

  /** Runs `action` through the breaker; `describe` says what the rejected call would have been. */
  fire(action: () => Promise<T>, describe: BreakerCall): Promise<T> {
    return this.tracer.startActiveSpan(`circuit_breaker ${this.name}`, { kind: SpanKind.INTERNAL, attributes: this.attributes(this.state()) }, async (span) => {
      this.callSpans.add(span);
      try {
        return await this.breaker.fire(action);
      } catch (err) {
        if ((err as { code?: string }).code === 'EOPENBREAKER') this.recordRejection(describe);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    });
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private attributes(state: BreakerState) {
    return { 'circuit_breaker.name': this.name, 'circuit_breaker.state': state, 'service.peer.name': this.peer };
  }

  private transition(state: BreakerState): void {
    this.transitions.push({ state, atMs: Date.now() });
    if (this.transitions.length > 100) this.transitions.shift();
    const active = trace.getSpan(context.active());
    if (active && this.callSpans.has(active) && active.isRecording()) {
      active.addEvent('circuit_breaker.state_change', this.attributes(state));
      return;
    }
    // A timer moved the breaker (open → half_open): no call is in flight, so the change gets a
    // trace of its own. Explicitly a root: the timer inherited the context of the call that
    // opened the breaker, and a child there would land in a trace that ended seconds ago.
    const span = this.tracer.startSpan(`circuit_breaker ${this.name} state change`, { kind: SpanKind.INTERNAL, attributes: this.attributes(state) }, ROOT_CONTEXT);
    span.addEvent('circuit_breaker.state_change', this.attributes(state));
    span.end();
  }

  private recordRejection(call: BreakerCall): void {
    const url = new URL(call.url);
    const span = this.tracer.startSpan(call.method, {
      kind: SpanKind.CLIENT,
      attributes: {
        ...this.attributes('open'),
        'http.request.method': call.method,
        'url.full': call.url,
        'server.address': url.hostname,
        'server.port': call.port,
        'error.type': 'circuit_open',
      },
    });
    span.setStatus({ code: SpanStatusCode.ERROR, message: `circuit breaker ${this.name} is open: call not sent` });
    span.end();
  }
}
