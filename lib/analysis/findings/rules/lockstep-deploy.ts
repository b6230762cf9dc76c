// Services that are always released together are one deployable split across repositories.
import { CappedMap, round } from '../bounded.ts';
import type { Finding, Rule, ServiceVersion } from '../types.ts';

const defaults = {
  /** Two releases land "together" when their first sightings are at most this far apart. */
  windowMinutes: 30,
  /** Share of both services' releases that landed together. */
  minShare: 0.8,
  /** Releases each service needs before the pattern means anything. */
  minReleases: 3,
};

const NS_PER_MINUTE = 60_000_000_000n;

export const lockstepDeploy: Rule<CappedMap<string, ServiceVersion>, typeof defaults> = {
  id: 'lockstep-deploy',
  title: 'Lockstep deployment',
  defaultSeverity: 'high',
  defaults,
  allowKeys: ['service'],
  remediation:
    'Make the services releasable alone: backward-compatible API changes (expand, then contract), consumer-driven contract tests, and a pipeline per service instead of one release train.',
  createState: () => new CappedMap(50_000),
  visitTrace(tree, state) {
    // One trace holds few (service, version) pairs: find each one's earliest span, then touch the map.
    const earliest = new Map<string, { service: string; version: string; startNs: bigint }>();
    for (const n of tree.nodes) {
      const version = n.span.resource.serviceVersion;
      if (!version) continue;
      const local = n.service + '\u0000' + version;
      const e = earliest.get(local);
      if (!e) earliest.set(local, { service: n.service, version, startNs: n.span.startNs });
      else if (n.span.startNs < e.startNs) e.startNs = n.span.startNs;
    }
    for (const [key, { service, version, startNs }] of earliest) {
      const v = state.get(key);
      if (v) {
        if (startNs < v.firstSeenNs) v.firstSeenNs = startNs;
      } else state.upsert(key, () => ({ service, version, firstSeenNs: startNs }));
    }
  },
  finalize(state, ctx) {
    const first = new Map<string, ServiceVersion>();
    for (const v of [...state.values(), ...ctx.serviceVersions]) {
      const key = `${v.service}\u0000${v.version}`;
      const seen = first.get(key);
      if (!seen || v.firstSeenNs < seen.firstSeenNs) first.set(key, v);
    }
    if (first.size === 0) return { findings: [], notEvaluated: 'no service.version on any resource' };

    // The first version seen of a service tells when observation began, not when it was released.
    const releases = new Map<string, bigint[]>();
    const byService = new Map<string, ServiceVersion[]>();
    for (const v of first.values()) byService.set(v.service, [...(byService.get(v.service) ?? []), v]);
    for (const [service, list] of byService) {
      const times = list.map((v) => v.firstSeenNs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      releases.set(service, times.slice(1));
    }
    const t = ctx.thresholds();
    const window = BigInt(t.windowMinutes) * NS_PER_MINUTE;
    const candidates = [...releases].filter(([s, r]) => r.length >= ctx.thresholds(s).minReleases && !ctx.allowed({ service: s })).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const findings: Finding[] = [];
    for (let i = 0; i < candidates.length; i++) {
      for (let j = i + 1; j < candidates.length; j++) {
        const [a, ra] = candidates[i];
        const [b, rb] = candidates[j];
        const near = (x: bigint, others: bigint[]) => others.some((y) => (x > y ? x - y : y - x) <= window);
        const together = ra.filter((x) => near(x, rb)).length + rb.filter((y) => near(y, ra)).length;
        const share = together / (ra.length + rb.length);
        if (share < t.minShare) continue;
        const f = ctx.finding({
          severity: 'high',
          title: `${a} and ${b} are released together (${Math.round(share * 100)}% of ${ra.length + rb.length} releases within ${t.windowMinutes} min)`,
          services: [a, b],
          counts: { releasesA: ra.length, releasesB: rb.length, releasesTogether: together },
          details: {
            share: round(share),
            [`versions ${a}`]: (byService.get(a) ?? []).map((v) => v.version).slice(-10),
            [`versions ${b}`]: (byService.get(b) ?? []).map((v) => v.version).slice(-10),
          },
          identity: [a, b],
        });
        if (f) findings.push(f);
      }
    }
    return { findings };
  },
};
