// Which edge (caller → callee) a reported breaker protects. In order of trust:
//  1. `service.peer.name` on its events, gauges or spans (the convention asks for it);
//  2. the client calls made inside its spans (the calls it wraps), the most frequent callee;
//  3. its name: `paymentsService`, `payments-cb`, `payments-pipeline` all name `payments` once the
//     words that only say "breaker" are dropped, matched first against the caller's own callees,
//     then against every service seen.
// A breaker none of these ties to an edge stays unmapped (shown, not guessed).
import type { MappedBy } from './types.ts';

const FILLER = new Set(['cb', 'circuit', 'circuitbreaker', 'breaker', 'pipeline', 'resilience', 'polly', 'r4j', 'resilience4j', 'client', 'service', 'svc', 'api', 'http', 'grpc', 'backend', 'default']);

/** `paymentsServiceCB` → `payments`; `inventory_api.v2` → `inventory-v2`. */
export function nameCore(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  const core = words.filter((w) => !FILLER.has(w));
  return (core.length > 0 ? core : words).join('-');
}

export interface MappingInput {
  caller: string;
  breaker: string;
  peer?: string;
  /** Callee → calls seen inside the breaker's spans. */
  wrapped?: ReadonlyMap<string, number>;
  /** Callees this caller was seen calling. */
  callees: Iterable<string>;
  /** Every service seen in the window. */
  services: Iterable<string>;
}

export function mapBreaker(m: MappingInput): { callee: string; by: MappedBy } | undefined {
  if (m.peer) return { callee: m.peer, by: 'peer' };
  if (m.wrapped && m.wrapped.size > 0) {
    const best = [...m.wrapped].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    return { callee: best[0], by: 'wrapped-calls' };
  }
  const core = nameCore(m.breaker);
  if (core === '') return undefined;
  for (const pool of [m.callees, m.services]) {
    const hits = [...pool].filter((s) => s !== m.caller && nameCore(s) === core).sort();
    if (hits.length > 0) return { callee: hits[0], by: 'name' };
  }
  return undefined;
}
