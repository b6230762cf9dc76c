'use client';
// Every page has the same three non-data states, so a user learns them once.
import type { ReactNode } from 'react';
import { useCollectorUrl } from './collector-context.tsx';
import { FetchJsonError } from './fetch-json.ts';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorState({ error, title = 'Could not load data', onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  const message = error instanceof FetchJsonError || error instanceof Error ? error.message : String(error);
  return (
    <div className="state state-error" role="alert">
      <div className="state-title">{title}</div>
      <p className="state-detail">{message}</p>
      {onRetry ? (
        <button type="button" className="btn" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/**
 * No data: tells a newcomer exactly how to send some (the env vars an OpenTelemetry SDK reads),
 * and, when older data exists outside the window, offers it via `children`.
 */
export function EmptyState({ title, children, showExporterHelp = true }: { title: string; children?: ReactNode; showExporterHelp?: boolean }) {
  const collectorUrl = useCollectorUrl();
  return (
    <div className="state state-empty">
      <div className="state-title">{title}</div>
      {children}
      {showExporterHelp ? (
        <>
          <p className="state-detail">Point your OpenTelemetry exporters at Faultline&apos;s collector:</p>
          <pre className="code-block">{`export OTEL_EXPORTER_OTLP_ENDPOINT=${collectorUrl}
export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf   # or http/json`}</pre>
          <p className="state-detail">
            Or load trace files: <code>npx faultline import traces.json</code> (OTLP JSON, Zipkin v2 or Jaeger JSON).
          </p>
        </>
      ) : null}
    </div>
  );
}

/** Small inline note for a panel section with nothing to show. */
export function Muted({ children }: { children: ReactNode }) {
  return <p className="muted-note">{children}</p>;
}
