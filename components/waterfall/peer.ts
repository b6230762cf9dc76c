// Where a client span's call went, as a service-map focus link: the service of the server span
// under it when that half arrived, else what the client span says (peer.service, server.address).
import type { JsonAttributeValue } from '../../lib/query/types.ts';

export interface PeerSpan {
  service: string;
  kind: 'server' | 'client' | 'producer' | 'consumer' | 'internal';
  parentIndex: number;
  attributes: Record<string, JsonAttributeValue>;
}

// New semantic-convention names first (the collector folds old ones into them), old ones for imports.
const PEER_ATTRIBUTES = ['service.peer.name', 'peer.service', 'server.address', 'db.system.name', 'db.system', 'messaging.destination.name'];

export function peerServiceOf(spans: readonly PeerSpan[], index: number, subtreeEnd: Int32Array): string | null {
  const s = spans[index];
  if (s === undefined || (s.kind !== 'client' && s.kind !== 'producer')) return null;
  for (let j = index + 1; j < subtreeEnd[index]; j++) {
    const c = spans[j];
    if (c.parentIndex === index && (c.kind === 'server' || c.kind === 'consumer') && c.service !== s.service) return c.service;
  }
  for (const key of PEER_ATTRIBUTES) {
    const v = s.attributes[key];
    if (typeof v === 'string' && v.length > 0 && v.length <= 256) return v;
  }
  return null;
}

/** The map link for a service: an internal path, the name percent-encoded by URLSearchParams. */
export function mapFocusHref(service: string): string {
  return `/?${new URLSearchParams({ focus: service }).toString()}`;
}
