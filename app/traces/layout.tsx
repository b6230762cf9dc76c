import type { ReactNode } from 'react';
import { selfTelemetryConfig } from '../../components/telemetry/faro-config.ts';
import { FaroTelemetry } from '../../components/telemetry/FaroTelemetry.tsx';

// Self-instrumentation is mounted here until the root layout hosts it for every page.
export default function TracesLayout({ children }: { children: ReactNode }) {
  const config = selfTelemetryConfig(process.env, process.env.FAULTLINE_COLLECTOR_URL ?? 'http://127.0.0.1:4318');
  return (
    <>
      <FaroTelemetry config={config} />
      {children}
    </>
  );
}
