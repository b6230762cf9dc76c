import { describe, expect, it } from 'vitest';
import { dashboardCsp, newNonce } from '../../lib/web/csp.ts';

describe('dashboard CSP', () => {
  it('lets scripts run only by nonce in production', () => {
    const policy = dashboardCsp({ nonce: 'abc123', dev: false });
    const scriptSrc = policy.split('; ').find((d) => d.startsWith('script-src '));
    expect(scriptSrc).toBe("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it('allows eval only for the dev runtime', () => {
    expect(dashboardCsp({ nonce: 'n', dev: true })).toContain("'unsafe-eval'");
    expect(dashboardCsp({ nonce: 'n', dev: false })).not.toContain("'unsafe-eval'");
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const a = newNonce();
    const b = newNonce();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64')).toHaveLength(16);
  });
});
