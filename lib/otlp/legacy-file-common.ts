// Helpers shared by the Zipkin and Jaeger decoders (formats that predate OTLP): id and time
// conversion into the model's conventions, and one Resource object per distinct resource.
import type { Attributes, AttributeValue, Resource } from '../model/index.ts';
import { UNKNOWN_SERVICE } from '../model/index.ts';

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Lowercase hex, left-padded with zeros to `width` (Zipkin and older Jaeger clients write
 * 64-bit trace ids as 16 hex, and Jaeger's JSON drops leading zeros). Returns undefined for
 * anything that is not a usable id: not hex, too long, or all zeros (invalid in W3C and OTLP).
 */
export function normalizeHexId(raw: unknown, width: 16 | 32): string | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > width || !HEX.test(raw)) return undefined;
  const id = raw.toLowerCase().padStart(width, '0');
  return /^0+$/.test(id) ? undefined : id;
}

/** Microseconds (Zipkin, Jaeger) → integer nanoseconds. Fractions of a µs are rounded away. */
export function microsToNanos(us: number): bigint {
  return BigInt(Math.round(us)) * 1000n;
}

export function isFiniteNonNegative(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/**
 * Keeps one Resource object per distinct (service, attributes) so a file of 100k spans from
 * five services holds five Resource objects, and the store can dedupe resources by identity.
 */
export class ResourceCache {
  private readonly byKey = new Map<string, Resource>();

  get(serviceName: string | undefined, attributes: Attributes = {}): Resource {
    const name = serviceName && serviceName.trim() !== '' ? serviceName : UNKNOWN_SERVICE;
    const key = name + '\u0000' + stableKey(attributes);
    let resource = this.byKey.get(key);
    if (!resource) {
      resource = resourceFromAttributes(name, attributes);
      this.byKey.set(key, resource);
    }
    return resource;
  }

  get size(): number {
    return this.byKey.size;
  }
}

function resourceFromAttributes(serviceName: string, attrs: Attributes): Resource {
  const attributes: Attributes = { ...attrs, 'service.name': serviceName };
  const str = (k: string): string | undefined => (typeof attrs[k] === 'string' ? (attrs[k] as string) : undefined);
  const resource: Resource = { serviceName, attributes };
  const ns = str('service.namespace');
  const version = str('service.version');
  const instance = str('service.instance.id');
  if (ns) resource.serviceNamespace = ns;
  if (version) resource.serviceVersion = version;
  if (instance) resource.serviceInstanceId = instance;
  const sdk = { name: str('telemetry.sdk.name'), language: str('telemetry.sdk.language'), version: str('telemetry.sdk.version') };
  if (sdk.name || sdk.language || sdk.version) {
    resource.sdk = Object.fromEntries(Object.entries(sdk).filter(([, v]) => v !== undefined));
  }
  return resource;
}

function stableKey(attrs: Attributes): string {
  const keys = Object.keys(attrs).sort();
  return JSON.stringify(keys.map((k) => [k, printable(attrs[k])]));
}

function printable(v: AttributeValue): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(printable);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, printable(x)]));
  return v;
}

/** Collects at most `limit` distinct reasons, so a file with 1M bad spans reports a handful. */
export class ReasonList {
  readonly reasons: string[] = [];
  constructor(private readonly limit = 5) {}

  add(reason: string): void {
    if (this.reasons.length < this.limit && !this.reasons.includes(reason)) this.reasons.push(reason);
  }
}
