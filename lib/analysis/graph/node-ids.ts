// The graph node a span points at, as pure functions of the span, so findings name databases,
// topics and uninstrumented peers exactly as the graph does (same code, not a copy of the format).
import type { Span } from '../../model/index.ts';
import { normalizeServiceName } from '../service-name.ts';
import { isDbSpan } from '../trace/kind.ts';
import { dbIdentity, dbProductFromPeer, externalId, peerName, topicIdentity } from './identity.ts';

function isDbTarget(span: Span): boolean {
  if (isDbSpan(span)) return true;
  const p = peerName(span);
  return p.fromServiceName && dbProductFromPeer(p.name) !== undefined;
}

/**
 * `db:<system>|<address>|<namespace>` for a span that talks to a database, else undefined.
 * `service` is the calling service as the tree normalized it (SpanNode.service); it only matters
 * when the span names neither address nor namespace (then the id is `db:<system>||@<service>`).
 */
export function databaseNodeId(span: Span, service = normalizeServiceName(span.resource.serviceName)): string | undefined {
  return isDbTarget(span) ? dbIdentity(span, service).id : undefined;
}

/**
 * `ext:<peer>` (`ext:unknown@<service>` when nothing names the peer) for a CLIENT span with no
 * server half (call it only for those). The built graph
 * resolves a peer named after a service it knows onto that service's id instead.
 */
export function externalNodeId(span: Span, service = normalizeServiceName(span.resource.serviceName)): string | undefined {
  return isDbTarget(span) ? undefined : externalId(peerName(span).name, service);
}

/** `queue:<system>|<destination>`; `other` is the paired half (producer for a consumer, or vice versa) that may name what this one omits. */
export function queueNodeId(span: Span, other?: Span): string {
  return topicIdentity(span, other).id;
}
