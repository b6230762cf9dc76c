// The dashboard's Content-Security-Policy. Every string in a span is attacker controlled
// (WIRE.md, "Security of rendered data"); rendering as text is the first defence, this policy
// the second: scripts run only with the per-request nonce (Next.js puts it on its own inline
// bootstrap and chunk scripts), and 'strict-dynamic' lets those load the rest. No
// 'unsafe-inline' for scripts, so an injected <script> or on* handler cannot run.

export interface CspOptions {
  nonce: string;
  /** Next.js's dev runtime (React refresh) needs eval; production never gets it. */
  dev: boolean;
}

export function dashboardCsp({ nonce, dev }: CspOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // React style attributes and d3 positioning set inline styles; styles cannot run script.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // The map's layout worker is a same-origin module script.
    "worker-src 'self' blob:",
    // The dashboard's own Faro telemetry posts to its collector on this machine.
    "connect-src 'self' http://localhost:* http://127.0.0.1:*",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** 128 random bits, base64: unguessable and fresh for every page request. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
