import { describe, expect, it } from 'vitest';
import { selfTelemetryConfig } from '../../../components/telemetry/faro-config.ts';

describe('selfTelemetryConfig', () => {
  it('points at the collector /collect by default', () => {
    expect(selfTelemetryConfig({}, 'http://127.0.0.1:4318')).toEqual({ enabled: true, url: 'http://127.0.0.1:4318/collect', appName: 'faultline-dashboard' });
  });
  it.each(['off', '0', 'false', 'OFF', ' no '])('is switched off by FAULTLINE_SELF_TELEMETRY=%j', (v) => {
    expect(selfTelemetryConfig({ FAULTLINE_SELF_TELEMETRY: v }, 'http://127.0.0.1:4318').enabled).toBe(false);
  });
  it('stays off when the collector URL is not http(s)', () => {
    expect(selfTelemetryConfig({}, 'javascript:alert(1)').enabled).toBe(false);
    expect(selfTelemetryConfig({}, 'not a url').enabled).toBe(false);
  });
});
