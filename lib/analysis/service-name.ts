// Service names as the graph and the rules see them.
//
// Decisions (SMELLS.md "Service names are normalized"):
// - Case and the `_`/`-` separator are folded (lowercase, `_` → `-`, whitespace runs → `-`),
//   because one team's `yelp_main` and another's `yelp-main` are the same deployable in every
//   fixture we have seen. Dots are kept: `yelp-main.mobile_api` is a DNS-style name of
//   something more specific, and merging on dots would fold whole domains into one node.
// - A `/suffix` is dropped: `yelp_main/api_proxy` is the yelp-main deployable's api_proxy
//   instance (Yelp's trace names it both ways in one request). Without this the request shows a
//   phantom call yelp-main/api-proxy → yelp-main inside a single process. OTel names carry the
//   namespace in `service.namespace`, not in a `ns/` prefix, so the prefix is the service.
// - Only the Deployment → ReplicaSet → Pod suffix is stripped: `<name>-<rs hash>-<pod id>`, where
//   both parts use Kubernetes' "safe" alphabet (no vowels, no 0/1/3) and the ReplicaSet hash
//   holds a digit. StatefulSet ordinals (`db-0`) and DaemonSet/Job suffixes are left alone:
//   they look too much like real names (`api-v2`, `worker-queue`) to strip blindly.
// - An empty name becomes `unknown_service` (lib/model's UNKNOWN_SERVICE); the SDKs' defaults
//   `unknown_service:<process>` are kept verbatim (folding them would hide what they are).
import { UNKNOWN_SERVICE } from '../model/index.ts';

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
// Older clusters wrote the pod-template-hash in decimal, so digits 0/1/3 may appear in the hash.
const POD_SUFFIX = new RegExp(`^(.+?)-([${SAFE}0-9]{5,10})-([${SAFE}]{5})$`);

const cache = new Map<string, string>();
const CACHE_LIMIT = 10_000;

export function normalizeServiceName(name: string): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const out = normalizeUncached(name);
  // Bounded: a flood of distinct names (a misconfigured SDK) must not grow memory forever.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(name, out);
  return out;
}

function normalizeUncached(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') return UNKNOWN_SERVICE;
  if (trimmed.startsWith(UNKNOWN_SERVICE)) return trimmed;
  const slash = trimmed.indexOf('/');
  const base = slash > 0 ? trimmed.slice(0, slash) : trimmed;
  let s = base.toLowerCase().replace(/\s+/g, '-').replace(/_/g, '-');
  const m = POD_SUFFIX.exec(s);
  if (m && /[0-9]/.test(m[2])) s = m[1];
  return s;
}

/** Placeholder names that say "the producer of this span did not name its service". */
export function isUnknownService(normalized: string): boolean {
  return normalized === 'unknown' || normalized.startsWith(UNKNOWN_SERVICE);
}
