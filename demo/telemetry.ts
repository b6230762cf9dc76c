// OpenTelemetry for one demo service, set up exactly as a user's Node service would: the Node
// tracer provider, the http instrumentation, OTLP/protobuf for traces and OTLP/HTTP for metrics,
// both reading OTEL_EXPORTER_OTLP_ENDPOINT. Nothing here knows Faultline exists.
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import { metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Telemetry {
  tracer: Tracer;
  meter: Meter;
  /** node:http, patched by the instrumentation (required after it is registered, so the patch applies). */
  http: typeof Http;
  /** Flushes spans and metrics; called on SIGTERM so a release loses nothing. */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  service: string;
  version: string;
  /** Port → service name, so outgoing client spans carry `service.peer.name` like a mesh would add. */
  peers: ReadonlyMap<number, string>;
  /** Ports whose calls are plumbing (the broker's HTTP transport), traced as messaging spans instead. */
  untracedPorts: ReadonlySet<number>;
}

export function startTelemetry(opts: TelemetryOptions): Telemetry {
  const resource = resourceFromAttributes({
    'service.name': opts.service,
    'service.version': opts.version,
    'service.namespace': 'shop',
    'deployment.environment.name': 'demo',
  });
  // One export in flight, flushed every second: the map fills within seconds of a request.
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 1000, maxExportBatchSize: 512, maxQueueSize: 4096 })],
  });
  provider.register();
  const meterProvider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: 5000 })],
  });
  metrics.setGlobalMeterProvider(meterProvider);

  const portOf = (options: Http.RequestOptions): number => Number(options.port ?? 0);
  registerInstrumentations({
    instrumentations: [
      new HttpInstrumentation({
        ignoreOutgoingRequestHook: (options) => opts.untracedPorts.has(portOf(options)),
        ignoreIncomingRequestHook: (req) => req.url === '/healthz',
        startOutgoingSpanHook: (options) => {
          const peer = opts.peers.get(portOf(options));
          return peer ? { 'service.peer.name': peer } : {};
        },
      }),
    ],
  });
  const http = createRequire(import.meta.url)('node:http') as typeof Http;
  return {
    tracer: trace.getTracer('faultline-demo', '1.0.0'),
    meter: metrics.getMeter('faultline-demo', '1.0.0'),
    http,
    async shutdown() {
      await Promise.allSettled([provider.shutdown(), meterProvider.shutdown()]);
    },
  };
}
