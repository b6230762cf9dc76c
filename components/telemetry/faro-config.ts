// Whether and where the dashboard reports its own browser telemetry (Grafana Faro). Pure, so the
// switch is tested without a browser: FAULTLINE_SELF_TELEMETRY=off|0|false turns it off.

export interface SelfTelemetryConfig {
  enabled: boolean;
  /** The collector's Faro endpoint. */
  url: string;
  appName: string;
}

export const DASHBOARD_APP_NAME = 'faultline-dashboard';

export function selfTelemetryConfig(env: Record<string, string | undefined>, collectorUrl: string): SelfTelemetryConfig {
  const flag = (env.FAULTLINE_SELF_TELEMETRY ?? '').trim().toLowerCase();
  const off = flag === 'off' || flag === '0' || flag === 'false' || flag === 'no';
  let url = '';
  try {
    const u = new URL('/collect', collectorUrl);
    if (u.protocol === 'http:' || u.protocol === 'https:') url = u.href;
  } catch {
    url = '';
  }
  return { enabled: !off && url !== '', url, appName: DASHBOARD_APP_NAME };
}
