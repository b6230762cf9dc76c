'use client';
// The dashboard instruments itself with Grafana Faro, pointed at its own collector (POST
// /collect), so the browser shows up in its own service graph: page loads, fetches to /api/v1
// (with traceparent), web vitals, errors. Loaded lazily after hydration so it never delays a page.
import { useEffect } from 'react';
import type { SelfTelemetryConfig } from './faro-config.ts';

let started = false;

export function FaroTelemetry({ config }: { config: SelfTelemetryConfig }) {
  useEffect(() => {
    if (!config.enabled || started) return;
    started = true;
    void (async () => {
      const [{ initializeFaro, getWebInstrumentations }, { TracingInstrumentation }] = await Promise.all([
        import('@grafana/faro-web-sdk'),
        import('@grafana/faro-web-tracing'),
      ]);
      initializeFaro({
        url: config.url,
        app: { name: config.appName, version: '0.1.0', environment: process.env.NODE_ENV },
        // Console capture would echo the dashboard's own warnings back into its store forever.
        instrumentations: [...getWebInstrumentations({ captureConsole: false }), new TracingInstrumentation()],
        // Never report the telemetry requests themselves.
        ignoreUrls: [new RegExp(`^${config.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)],
      });
    })().catch(() => {
      // Telemetry must never break the dashboard; a failed load simply leaves it off.
      started = false;
    });
  }, [config]);
  return null;
}
