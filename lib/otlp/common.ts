// Pieces both OTLP decoders (protobuf and JSON) share: resource lifting, id checks, rejection
// bookkeeping. Keeping them here makes the two encodings produce identical model objects.
import type { Attributes, DecodeResult, Resource, SpanKind, StatusCode } from '../model/index.ts';
import { SPAN_KINDS, STATUS_CODES, UNKNOWN_SERVICE } from '../model/index.ts';

/** A DecodeResult that can also say the whole payload was unusable (answered with 400). */
export interface OtlpDecodeResult<T> extends DecodeResult<T> {
  /** Set when the payload itself is malformed; items is then empty. */
  fatal?: string;
}

/** At most this many distinct reasons are kept; the count says how many items were lost. */
const MAX_ERRORS = 5;

export class Rejections {
  rejected = 0;
  readonly errors: string[] = [];

  add(reason: string, n = 1): void {
    this.rejected += n;
    this.note(reason);
  }

  /** Records a reason for something repaired or dropped inside an item that was still kept. */
  note(reason: string): void {
    if (this.errors.length < MAX_ERRORS && !this.errors.includes(reason)) this.errors.push(reason);
  }
}

export function resourceFrom(attributes: Attributes, droppedAttributesCount: number): Resource {
  const str = (k: string): string | undefined => {
    const v = attributes[k];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const resource: Resource = { serviceName: str('service.name') ?? UNKNOWN_SERVICE, attributes };
  const ns = str('service.namespace');
  if (ns !== undefined) resource.serviceNamespace = ns;
  const version = str('service.version');
  if (version !== undefined) resource.serviceVersion = version;
  const instance = str('service.instance.id');
  if (instance !== undefined) resource.serviceInstanceId = instance;
  const sdkName = str('telemetry.sdk.name');
  const sdkLanguage = str('telemetry.sdk.language');
  const sdkVersion = str('telemetry.sdk.version');
  if (sdkName !== undefined || sdkLanguage !== undefined || sdkVersion !== undefined) {
    resource.sdk = {};
    if (sdkName !== undefined) resource.sdk.name = sdkName;
    if (sdkLanguage !== undefined) resource.sdk.language = sdkLanguage;
    if (sdkVersion !== undefined) resource.sdk.version = sdkVersion;
  }
  if (droppedAttributesCount > 0) resource.droppedAttributesCount = droppedAttributesCount;
  return resource;
}

export const EMPTY_RESOURCE_ATTRS: Attributes = Object.freeze({}) as Attributes;

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * Checks a hex trace or span id. Returns a reason when it is unusable, else undefined.
 * `hex` must already be lowercase; `isHex` says whether it was valid hex as sent.
 */
export function badId(what: 'trace' | 'span' | 'parent span', hex: string, isHex: boolean): string | undefined {
  const want = what === 'trace' ? 32 : 16;
  if (!isHex) return `${what} id is not hex: ${JSON.stringify(hex.slice(0, 40))}`;
  if (hex.length !== want) {
    return `${what} id must be ${want / 2} bytes (${want} hex digits), got ${hex.length} hex digits`;
  }
  if (hex === (want === 32 ? ZERO_TRACE : ZERO_SPAN)) return `${what} id is all zeros`;
  return undefined;
}

export function isZeroSpanId(hex: string): boolean {
  return hex === ZERO_SPAN;
}

export function spanKindOf(n: number): SpanKind {
  return SPAN_KINDS[n] ?? 'unspecified';
}

export function statusCodeOf(n: number): StatusCode {
  return STATUS_CODES[n] ?? 'unset';
}

/** Duration that is never negative: a span whose end precedes its start (clock skew, unfinished) is 0 long. */
export function durationOf(startNs: bigint, endNs: bigint): number {
  return endNs > startNs ? Number(endNs - startNs) : 0;
}

export function finish<T>(items: T[], rej: Rejections): OtlpDecodeResult<T> {
  return { items, rejected: rej.rejected, errors: rej.errors };
}

export function fatal<T>(message: string): OtlpDecodeResult<T> {
  return { items: [], rejected: 0, errors: [message], fatal: message };
}
