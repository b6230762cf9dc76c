// Span data is attacker controlled (WIRE.md): a string becomes a link only when it parses as an
// absolute http(s) URL, so `javascript:` and `data:` can never reach an href.
export function safeHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}

/** A path inside the dashboard built from parts, each encoded (a service name may hold `/` or `?`). */
export function appPath(segments: readonly string[], query?: Record<string, string | number | undefined | null>): string {
  const path = '/' + segments.map((s) => encodeURIComponent(s)).join('/');
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}
