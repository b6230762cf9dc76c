// Evidence that a caller protects a call with a circuit breaker, read from its spans: Hystrix and
// resilience4j spans (Spring Cloud), `circuit_breaker.*` attributes and `circuit_breaker.state_change`
// events (Faultline's convention, docs/circuit-breakers.md). Issue 6 adds breaker metrics; those
// arrive as FinalizeContext.breakerEdges from the shell.
import type { Span } from '../../model/index.ts';
import type { SpanNode, TraceTree } from '../trace/tree.ts';
import { normalizeServiceName } from '../service-name.ts';
import { attrString, callTarget } from './trace-facts.ts';

const BREAKER_WORD = /hystrix|resilience4j|circuit[-_. ]?breaker|opossum|cockatiel|polly|sentinel\.slot/i;

export interface BreakerEvidence {
  service: string;
  /** The protected callee, when the spans say which call the breaker wraps. */
  target?: string;
  /** What gave it away: `span name hystrix`, `event circuit_breaker.state_change`, … */
  marker: string;
  traceId: string;
  spanId: string;
}

// Names, scopes and attribute keys repeat across millions of spans: test each distinct string once.
const wordCache = new Map<string, boolean>();
function hasBreakerWord(s: string): boolean {
  let hit = wordCache.get(s);
  if (hit === undefined) {
    hit = BREAKER_WORD.test(s) || s.startsWith('circuit_breaker.');
    if (wordCache.size >= 20_000) wordCache.clear();
    wordCache.set(s, hit);
  }
  return hit;
}

/** Why this span is breaker evidence, or undefined. */
export function breakerMarker(span: Span): string | undefined {
  if (hasBreakerWord(span.name)) return `span name ${span.name}`;
  if (hasBreakerWord(span.scope.name)) return `instrumentation scope ${span.scope.name}`;
  for (const k in span.attributes) {
    if (hasBreakerWord(k)) return `attribute ${k}`;
    const v = span.attributes[k];
    if (typeof v === 'string' && (k === 'component' || k === 'otel.library.name') && hasBreakerWord(v)) return `attribute ${k}=${v}`;
  }
  for (const e of span.events) if (e.name.startsWith('circuit_breaker.')) return `event ${e.name}`;
  return undefined;
}

/** Client calls a breaker span guards: the calls inside it, else the calls beside it under one parent. */
function guardedTargets(marker: SpanNode): string[] {
  const named = attrString(marker.span, 'service.peer.name') ?? attrString(marker.span, 'circuit_breaker.target');
  if (named) return [normalizeServiceName(named)];
  const targets = new Set<string>();
  const collect = (nodes: readonly SpanNode[]) => {
    const stack = [...nodes];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.service !== marker.service) continue;
      const t = n.kind === 'client' ? callTarget(n) : undefined;
      if (t && (t.kind === 'service' || t.kind === 'external')) targets.add(t.name);
      else stack.push(...n.children);
    }
  };
  collect([marker]);
  if (targets.size === 0 && marker.parent) collect(marker.parent.children.filter((c) => c !== marker));
  return [...targets].sort();
}

export function breakerEvidenceOf(tree: TraceTree): BreakerEvidence[] {
  const out: BreakerEvidence[] = [];
  for (const n of tree.nodes) {
    const marker = breakerMarker(n.span);
    if (!marker) continue;
    const base = { service: n.service, marker, traceId: n.span.traceId, spanId: n.span.spanId };
    const targets = guardedTargets(n);
    if (targets.length === 0) out.push(base);
    for (const target of targets) out.push({ ...base, target });
  }
  return out;
}
