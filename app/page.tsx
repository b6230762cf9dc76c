// The service map lands with the dashboard issue; until then the home page tells a newcomer
// exactly how to send data, which is what an empty state must do anyway.
export default function HomePage() {
  const otlpPort = process.env.FAULTLINE_OTLP_PORT ?? '4318';
  return (
    <section className="empty">
      <h1>Service map</h1>
      <p>No services yet. Point your OpenTelemetry exporters at Faultline&apos;s collector:</p>
      <pre>{`export OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:${otlpPort}
export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf   # or http/json`}</pre>
      <p>
        Or load a trace file: <code>npx faultline import traces.json</code> (OTLP JSON, Zipkin v2 or Jaeger JSON).
      </p>
    </section>
  );
}
