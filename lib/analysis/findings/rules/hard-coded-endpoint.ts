// Calls to IP literals where the rest of the system uses names: the address is baked into config
// or code, and breaks the moment the callee moves.
import { addExample, CappedMap, spanRefs } from '../bounded.ts';
import { attrString } from '../trace-facts.ts';
import type { Finding, Rule, SpanRef } from '../types.ts';

const defaults = {
  /** Loopback addresses are local development and test setups, not hard-coded production endpoints. */
  ignoreLoopback: true,
};

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^\[?[0-9a-f]*:[0-9a-f:.]*(%\w+)?\]?$/i;

export function isIpLiteral(host: string): boolean {
  return IPV4.test(host) || (host.includes(':') && IPV6.test(host));
}

function isLoopback(host: string): boolean {
  return host.startsWith('127.') || host === '::1' || host === '[::1]' || host === '0.0.0.0';
}

interface Hit {
  service: string;
  address: string;
  calls: number;
  traceIds: string[];
  spans: SpanRef[];
}

interface State {
  hits: CappedMap<string, Hit>;
  namedPeers: number;
  withAddress: number;
}

export const hardCodedEndpoint: Rule<State, typeof defaults> = {
  id: 'hard-coded-endpoint',
  title: 'Hard-coded endpoint',
  defaultSeverity: 'low',
  defaults,
  allowKeys: ['service', 'target'],
  remediation: 'Address the callee by name: service discovery, DNS, or configuration injected per environment, never an IP literal.',
  createState: () => ({ hits: new CappedMap(10_000), namedPeers: 0, withAddress: 0 }),
  visitTrace(tree, state, ctx) {
    for (const n of tree.nodes) {
      if (n.kind !== 'client' && n.kind !== 'producer') continue;
      const host = attrString(n.span, 'server.address');
      if (!host) continue;
      state.withAddress++;
      if (!isIpLiteral(host)) {
        state.namedPeers++;
        continue;
      }
      // Zipkin records the resolved IP beside the callee's name: the caller used the name.
      if (attrString(n.span, 'service.peer.name')) continue;
      if (ctx.thresholds(n.service).ignoreLoopback && isLoopback(host)) continue;
      const port = attrString(n.span, 'server.port');
      const address = port ? `${host}:${port}` : host;
      const hit = state.hits.upsert(`${n.service}\u0000${address}`, () => ({ service: n.service, address, calls: 0, traceIds: [], spans: [] }));
      if (!hit) continue;
      hit.calls++;
      addExample(hit.traceIds, tree.traceId);
      if (hit.spans.length < 5) hit.spans.push(...spanRefs([n]));
    }
  },
  finalize(state, ctx) {
    if (state.withAddress === 0) return { findings: [], notEvaluated: 'no CLIENT spans with server.address' };
    if (state.namedPeers === 0) return { findings: [] };
    const findings: Finding[] = [];
    for (const h of state.hits.values()) {
      if (ctx.allowed({ service: h.service, target: h.address })) continue;
      const f = ctx.finding({
        severity: 'low',
        title: `${h.service} calls ${h.address} by IP address`,
        services: [h.service],
        resources: [{ kind: 'endpoint', name: h.address }],
        counts: { calls: h.calls, namedPeerCalls: state.namedPeers },
        traceIds: h.traceIds,
        spans: h.spans,
        identity: [h.service, h.address],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
