// Is this service a gateway (or BFF, proxy, ingress)? By name, or by what its spans say.
import type { Span } from '../../model/index.ts';

export const DEFAULT_GATEWAY_HINTS = ['gateway', 'proxy', 'edge', 'bff', 'ingress', 'envoy', 'nginx', 'traefik', 'kong', 'haproxy', 'apisix', 'zuul'];

export function looksLikeGateway(service: string, hints: readonly string[], span?: Span): boolean {
  const words = [service];
  if (span) {
    const component = span.attributes['component'];
    if (typeof component === 'string') words.push(component);
    words.push(span.scope.name);
  }
  return words.some((w) => {
    const lw = w.toLowerCase();
    return hints.some((h) => h !== '' && lw.includes(h.toLowerCase()));
  });
}
