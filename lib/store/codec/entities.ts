// Self-contained encodings of the rows that are dictionary entries themselves: a resource,
// an instrumentation scope, a metric descriptor. The encoding is the row's identity (unique
// column), so it must be deterministic for equal inputs: fields in a fixed order, presence
// bits for every optional field so `undefined` and a zero value stay distinct.
import type { InstrumentationScope, MetricPoint, MetricType, Resource, Temporality } from '../../model/index.ts';
import { readAttributesInline, writeAttributesInline } from './attributes.ts';
import type { ByteReader} from './bytes.ts';
import { ByteWriter } from './bytes.ts';

const R_NAMESPACE = 1;
const R_VERSION = 2;
const R_INSTANCE = 4;
const R_SDK = 8;
const R_SDK_NAME = 16;
const R_SDK_LANGUAGE = 32;
const R_SDK_VERSION = 64;
const R_DROPPED = 128;

export function writeResource(w: ByteWriter, r: Resource): void {
  let bits = 0;
  if (r.serviceNamespace !== undefined) bits |= R_NAMESPACE;
  if (r.serviceVersion !== undefined) bits |= R_VERSION;
  if (r.serviceInstanceId !== undefined) bits |= R_INSTANCE;
  if (r.sdk !== undefined) {
    bits |= R_SDK;
    if (r.sdk.name !== undefined) bits |= R_SDK_NAME;
    if (r.sdk.language !== undefined) bits |= R_SDK_LANGUAGE;
    if (r.sdk.version !== undefined) bits |= R_SDK_VERSION;
  }
  if (r.droppedAttributesCount !== undefined) bits |= R_DROPPED;
  w.uvarint(bits);
  w.string(r.serviceName);
  if (bits & R_NAMESPACE) w.string(r.serviceNamespace!);
  if (bits & R_VERSION) w.string(r.serviceVersion!);
  if (bits & R_INSTANCE) w.string(r.serviceInstanceId!);
  if (bits & R_SDK_NAME) w.string(r.sdk!.name!);
  if (bits & R_SDK_LANGUAGE) w.string(r.sdk!.language!);
  if (bits & R_SDK_VERSION) w.string(r.sdk!.version!);
  if (bits & R_DROPPED) w.uvarint(r.droppedAttributesCount!);
  writeAttributesInline(w, r.attributes);
}

export function readResource(r: ByteReader): Resource {
  const bits = r.uvarint();
  const out: Resource = { serviceName: r.string(), attributes: {} };
  if (bits & R_NAMESPACE) out.serviceNamespace = r.string();
  if (bits & R_VERSION) out.serviceVersion = r.string();
  if (bits & R_INSTANCE) out.serviceInstanceId = r.string();
  if (bits & R_SDK) {
    const sdk: NonNullable<Resource['sdk']> = {};
    if (bits & R_SDK_NAME) sdk.name = r.string();
    if (bits & R_SDK_LANGUAGE) sdk.language = r.string();
    if (bits & R_SDK_VERSION) sdk.version = r.string();
    out.sdk = sdk;
  }
  if (bits & R_DROPPED) out.droppedAttributesCount = r.uvarint();
  out.attributes = readAttributesInline(r);
  return out;
}

const S_VERSION = 1;
const S_ATTRIBUTES = 2;
const S_DROPPED = 4;

export function writeScope(w: ByteWriter, s: InstrumentationScope): void {
  let bits = 0;
  if (s.version !== undefined) bits |= S_VERSION;
  if (s.attributes !== undefined) bits |= S_ATTRIBUTES;
  if (s.droppedAttributesCount !== undefined) bits |= S_DROPPED;
  w.uvarint(bits);
  w.string(s.name);
  if (bits & S_VERSION) w.string(s.version!);
  if (bits & S_ATTRIBUTES) writeAttributesInline(w, s.attributes);
  if (bits & S_DROPPED) w.uvarint(s.droppedAttributesCount!);
}

export function readScope(r: ByteReader): InstrumentationScope {
  const bits = r.uvarint();
  const out: InstrumentationScope = { name: r.string() };
  if (bits & S_VERSION) out.version = r.string();
  if (bits & S_ATTRIBUTES) out.attributes = readAttributesInline(r);
  if (bits & S_DROPPED) out.droppedAttributesCount = r.uvarint();
  return out;
}

/** The stream-level fields of a metric point (same for every point of one metric). */
export interface MetricDescriptorFields {
  name: string;
  description?: string;
  unit?: string;
  type: MetricType;
  temporality?: Temporality;
  monotonic?: boolean;
}

export const METRIC_TYPES: readonly MetricType[] = ['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary'];
export const TEMPORALITIES: readonly Temporality[] = ['unspecified', 'delta', 'cumulative'];

const D_DESCRIPTION = 1;
const D_UNIT = 2;
const D_TEMPORALITY = 4;
const D_MONOTONIC = 8;
const D_MONOTONIC_TRUE = 16;

export function descriptorOf(p: MetricPoint): MetricDescriptorFields {
  return { name: p.name, description: p.description, unit: p.unit, type: p.type, temporality: p.temporality, monotonic: p.monotonic };
}

export function writeDescriptor(w: ByteWriter, d: MetricDescriptorFields): void {
  let bits = 0;
  if (d.description !== undefined) bits |= D_DESCRIPTION;
  if (d.unit !== undefined) bits |= D_UNIT;
  if (d.temporality !== undefined) bits |= D_TEMPORALITY;
  if (d.monotonic !== undefined) bits |= D_MONOTONIC | (d.monotonic ? D_MONOTONIC_TRUE : 0);
  const type = METRIC_TYPES.indexOf(d.type);
  if (type < 0) throw new TypeError(`unknown metric type ${JSON.stringify(d.type)}`);
  w.uvarint(bits);
  w.u8(type);
  w.string(d.name);
  if (bits & D_DESCRIPTION) w.string(d.description!);
  if (bits & D_UNIT) w.string(d.unit!);
  if (bits & D_TEMPORALITY) {
    const t = TEMPORALITIES.indexOf(d.temporality!);
    if (t < 0) throw new TypeError(`unknown temporality ${JSON.stringify(d.temporality)}`);
    w.u8(t);
  }
}

export function readDescriptor(r: ByteReader): MetricDescriptorFields {
  const bits = r.uvarint();
  const type = METRIC_TYPES[r.u8()];
  const out: MetricDescriptorFields = { type, name: r.string() };
  if (bits & D_DESCRIPTION) out.description = r.string();
  if (bits & D_UNIT) out.unit = r.string();
  if (bits & D_TEMPORALITY) out.temporality = TEMPORALITIES[r.u8()];
  if (bits & D_MONOTONIC) out.monotonic = (bits & D_MONOTONIC_TRUE) !== 0;
  return out;
}

export function encodeWith<T>(write: (w: ByteWriter, v: T) => void, v: T): Buffer {
  const w = new ByteWriter(256);
  write(w, v);
  return w.copy();
}
