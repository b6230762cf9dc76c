// What spans say about breakers and about the calls they guard, gathered in one pass:
//  - `circuit_breaker.state_change` events (Faultline's convention) → state changes;
//  - spans carrying `circuit_breaker.name` → which calls a breaker wraps (its client children);
//  - CLIENT spans → outcomes per edge caller → callee (for failure rates and inference), and the
//    ones an open breaker refused (`circuit_breaker.state=open`), counted apart.
// Server spans name the callee of the client span they answer, whatever order they arrive in,
// so pairing waits until finish(). Every map is bounded and every drop counted.
import type { AttributeValue, Span } from '../../model/index.ts';
import { peerName } from '../graph/identity.ts';
import { normalizeServiceName } from '../service-name.ts';
import { isDbSpan } from '../trace/kind.ts';
import { parseBreakerState } from './states.ts';
import type { CallOutcome, StateObservation } from './types.ts';

export const STATE_CHANGE_EVENT = 'circuit_breaker.state_change';

export interface SpanFactLimits {
  /** Client calls kept for pairing and inference. */
  maxCalls: number;
  /** State observations kept. */
  maxObservations: number;
}

const DEFAULT_LIMITS: SpanFactLimits = { maxCalls: 1_000_000, maxObservations: 100_000 };

/** What a run of spans contributed, without the spans (a few dozen bytes per call). */
export interface SpanFactChunk {
  calls: readonly PendingCall[];
  answeredBy: readonly [string, string][];
  breakerSpans: readonly [string, string][];
  observations: readonly StateObservation[];
  breakerPeers: readonly [string, string][];
  services: readonly string[];
  dropped: { calls: number; observations: number };
}

export interface PendingCall {
  caller: string;
  spanId: string;
  parentSpanId?: string;
  peer?: string;
  address: string;
  atMs: number;
  failed: boolean;
  rejected: boolean;
  breaker?: string;
}

export interface EdgeCalls {
  caller: string;
  callee: string;
  /** Sent calls, sorted by completion time. */
  outcomes: CallOutcome[];
  rejected: number;
}

export interface SpanFacts {
  observations: StateObservation[];
  /** `caller->callee` → calls. */
  edges: Map<string, EdgeCalls>;
  /** `service\0breaker` → callee → calls seen inside that breaker. */
  wrapped: Map<string, Map<string, number>>;
  /** `service\0breaker` → the latest `service.peer.name` a breaker span carried. */
  breakerPeers: Map<string, string>;
  services: Set<string>;
  dropped: { calls: number; observations: number };
}

function str(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

const nsToMs = (ns: bigint): number => Number(ns / 1_000_000n);
export const breakerKey = (service: string, breaker: string): string => `${service}\u0000${breaker}`;

export class SpanFactCollector {
  private readonly limits: SpanFactLimits;
  private readonly calls: PendingCall[] = [];
  /** Client span id → the service whose SERVER span answered it. */
  private readonly answeredBy = new Map<string, string>();
  /** Span id → breaker name, for spans that carry `circuit_breaker.name` (the wrapper spans). */
  private readonly breakerSpans = new Map<string, string>();
  private readonly observations: StateObservation[] = [];
  private readonly breakerPeers = new Map<string, string>();
  private readonly services = new Set<string>();
  private droppedCalls = 0;
  private droppedObservations = 0;

  constructor(limits: Partial<SpanFactLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Compact records of what was added so far (no spans): a shell may keep one per minute and replay it. */
  chunk(): SpanFactChunk {
    return {
      calls: this.calls.slice(),
      answeredBy: [...this.answeredBy],
      breakerSpans: [...this.breakerSpans],
      observations: this.observations.slice(),
      breakerPeers: [...this.breakerPeers],
      services: [...this.services],
      dropped: { calls: this.droppedCalls, observations: this.droppedObservations },
    };
  }

  /** Adds the records of a chunk as if its spans had been added here (within this collector's limits). */
  addChunk(c: SpanFactChunk): void {
    for (const s of c.services) if (this.services.size < 100_000) this.services.add(s);
    for (const [k, v] of c.breakerSpans) if (this.breakerSpans.size < this.limits.maxCalls) this.breakerSpans.set(k, v);
    for (const [k, v] of c.breakerPeers) this.breakerPeers.set(k, v);
    for (const [k, v] of c.answeredBy) if (this.answeredBy.size < this.limits.maxCalls) this.answeredBy.set(k, v);
    const callRoom = Math.max(0, this.limits.maxCalls - this.calls.length);
    for (let i = 0; i < Math.min(callRoom, c.calls.length); i++) this.calls.push(c.calls[i]);
    this.droppedCalls += c.dropped.calls + Math.max(0, c.calls.length - callRoom);
    const obsRoom = Math.max(0, this.limits.maxObservations - this.observations.length);
    for (let i = 0; i < Math.min(obsRoom, c.observations.length); i++) this.observations.push(c.observations[i]);
    this.droppedObservations += c.dropped.observations + Math.max(0, c.observations.length - obsRoom);
  }

  add(span: Span): void {
    const service = normalizeServiceName(span.resource.serviceName);
    if (this.services.size < 100_000) this.services.add(service);
    const a = span.attributes;
    const breaker = str(a['circuit_breaker.name']);
    const spanPeer = str(a['service.peer.name']);
    if (breaker) {
      if (this.breakerSpans.size < this.limits.maxCalls) this.breakerSpans.set(span.spanId, breaker);
      if (spanPeer) this.breakerPeers.set(breakerKey(service, breaker), normalizeServiceName(spanPeer));
    }
    for (const e of span.events) {
      if (e.name !== STATE_CHANGE_EVENT) continue;
      const state = parseBreakerState(e.attributes['circuit_breaker.state']);
      if (!state) continue;
      if (this.observations.length >= this.limits.maxObservations) {
        this.droppedObservations++;
        continue;
      }
      const peer = str(e.attributes['service.peer.name']) ?? spanPeer;
      this.observations.push({
        service,
        breaker: str(e.attributes['circuit_breaker.name']) ?? breaker ?? 'unnamed',
        ...(peer ? { peer: normalizeServiceName(peer) } : {}),
        state,
        atMs: nsToMs(e.timeNs),
        reporter: 'span-event',
        sampled: false,
      });
    }
    if (span.kind === 'server' && span.parentSpanId) {
      if (this.answeredBy.size < this.limits.maxCalls) this.answeredBy.set(span.parentSpanId, service);
      return;
    }
    if (span.kind !== 'client' || isDbSpan(span)) return;
    if (this.calls.length >= this.limits.maxCalls) {
      this.droppedCalls++;
      return;
    }
    const failed = span.status.code === 'error';
    this.calls.push({
      caller: service,
      spanId: span.spanId,
      ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
      ...(spanPeer ? { peer: normalizeServiceName(spanPeer) } : {}),
      address: peerName(span).name,
      atMs: nsToMs(span.endNs),
      failed,
      rejected: failed && parseBreakerState(a['circuit_breaker.state']) === 'open',
      ...(breaker ? { breaker } : {}),
    });
  }

  finish(): SpanFacts {
    const edges = new Map<string, EdgeCalls>();
    const wrapped = new Map<string, Map<string, number>>();
    // Calls no server answered (refused by the breaker, connection refused, timed out) go to the
    // service that answered the same caller at the same address, not to a phantom address node.
    const atAddress = new Map<string, string>();
    for (const c of this.calls) {
      const by = c.peer ? undefined : this.answeredBy.get(c.spanId);
      if (by) atAddress.set(`${c.caller}\u0000${c.address}`, by);
    }
    for (const c of this.calls) {
      // A named peer wins; else whoever answered; else whoever answered there before; else the address.
      const callee = c.peer ?? this.answeredBy.get(c.spanId) ?? atAddress.get(`${c.caller}\u0000${c.address}`) ?? c.address;
      const key = `${c.caller}->${callee}`;
      let e = edges.get(key);
      if (!e) edges.set(key, (e = { caller: c.caller, callee, outcomes: [], rejected: 0 }));
      if (c.rejected) e.rejected++;
      else e.outcomes.push({ atMs: c.atMs, failed: c.failed });
      const b = c.breaker ?? (c.parentSpanId ? this.breakerSpans.get(c.parentSpanId) : undefined);
      if (b) {
        const k = breakerKey(c.caller, b);
        let m = wrapped.get(k);
        if (!m) wrapped.set(k, (m = new Map()));
        m.set(callee, (m.get(callee) ?? 0) + 1);
      }
    }
    for (const e of edges.values()) e.outcomes.sort((x, y) => x.atMs - y.atMs);
    return {
      observations: this.observations,
      edges,
      wrapped,
      breakerPeers: this.breakerPeers,
      services: this.services,
      dropped: { calls: this.droppedCalls, observations: this.droppedObservations },
    };
  }
}
