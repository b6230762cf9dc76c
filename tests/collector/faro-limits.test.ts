import { describe, expect, it } from 'vitest';
import { ClientRateLimiter, originAllowed, parseOrigins } from '../../collector/receivers/faro-limits.ts';
import { faroOptionsFromEnv } from '../../collector/receivers/faro.ts';

describe('ClientRateLimiter', () => {
  it('allows a burst, then refills at the rate', () => {
    const l = new ClientRateLimiter({ ratePerSec: 2, burst: 3, maxClients: 10 });
    expect([0, 0, 0, 0].map(() => l.take('a', 1000).allowed)).toEqual([true, true, true, false]);
    expect(l.take('a', 1000)).toEqual({ allowed: false, retryAfterS: 1 });
    expect(l.take('a', 1500).allowed).toBe(true);
    expect(l.limited).toBe(2);
  });
  it('keeps clients apart', () => {
    const l = new ClientRateLimiter({ ratePerSec: 1, burst: 1, maxClients: 10 });
    expect(l.take('a', 0).allowed).toBe(true);
    expect(l.take('b', 0).allowed).toBe(true);
    expect(l.take('a', 0).allowed).toBe(false);
  });
  it('forgets the stalest client when the table is full, and counts it', () => {
    const l = new ClientRateLimiter({ ratePerSec: 1, burst: 1, maxClients: 2 });
    l.take('a', 0);
    l.take('b', 0);
    l.take('a', 0);
    l.take('c', 0);
    expect(l.clients).toBe(2);
    expect(l.evicted).toBe(1);
    expect(l.take('a', 0).allowed).toBe(false);
    expect(l.take('b', 0).allowed).toBe(true);
  });
  it('gives a Retry-After of whole seconds', () => {
    const l = new ClientRateLimiter({ ratePerSec: 0.1, burst: 1, maxClients: 2 });
    l.take('a', 0);
    expect(l.take('a', 0)).toEqual({ allowed: false, retryAfterS: 10 });
  });
});

describe('origins', () => {
  it('normalizes the allow-list and ignores junk', () => {
    expect(parseOrigins(' http://localhost:3000/ , HTTPS://Example.com, javascript:alert(1), nonsense, *')).toEqual(['http://localhost:3000', 'https://example.com', '*']);
  });
  it('allows any port of a host with :*', () => {
    const allowed = parseOrigins('http://localhost:*, http://[::1]:*');
    expect(allowed).toEqual(['http://localhost:*', 'http://[::1]:*']);
    expect(originAllowed('http://localhost:8080', allowed)).toBe(true);
    expect(originAllowed('http://[::1]:3000', allowed)).toBe(true);
    expect(originAllowed('https://localhost:8080', allowed)).toBe(false);
    expect(originAllowed('http://localhost.evil.example:8080', allowed)).toBe(false);
  });
  it('defaults to the dashboard on this machine', () => {
    expect(faroOptionsFromEnv({ FAULTLINE_PORT: '3217' }).allowedOrigins).toEqual(['http://localhost:3217', 'http://127.0.0.1:3217', 'http://[::1]:3217']);
    expect(faroOptionsFromEnv({}).allowedOrigins).toEqual(['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*']);
    expect(faroOptionsFromEnv({ FAULTLINE_FARO_ORIGINS: 'https://app.example' }).allowedOrigins).toEqual(['https://app.example']);
    expect(faroOptionsFromEnv({ FAULTLINE_FARO_API_KEY: 'k', FAULTLINE_FARO_RATE: 'x' })).toMatchObject({ apiKey: 'k', ratePerSec: 10, burst: 50, maxBodyBytes: 5 * 1024 * 1024 });
  });
  it('matches exact origins only', () => {
    const allowed = parseOrigins('http://localhost:3000');
    expect(originAllowed('http://localhost:3000', allowed)).toBe(true);
    expect(originAllowed('http://localhost:3001', allowed)).toBe(false);
    expect(originAllowed('http://localhost:3000.evil.example', allowed)).toBe(false);
    expect(originAllowed('null', allowed)).toBe(false);
    expect(originAllowed('anything', ['*'])).toBe(true);
  });
});
