// Metric point and log record payloads: the fields that are not columns.
import type { ExponentialBuckets, LogRecord, MetricPoint } from '../../model/index.ts';
import { type AttrDecoder, type AttrEncoder, readAttributes, writeAttributes } from './attributes.ts';
import type { ByteWriter } from './bytes.ts';
import { ByteReader } from './bytes.ts';
import { readValue, writeValue } from './value.ts';

const P_FLAGS = 1;
const P_VALUE = 2;
const P_COUNT = 4;
const P_SUM = 8;
const P_MIN = 16;
const P_MAX = 32;
const P_BUCKETS = 64;
const P_BOUNDS = 128;
const P_SCALE = 256;
const P_ZERO_COUNT = 512;
const P_ZERO_THRESHOLD = 1024;
const P_POSITIVE = 2048;
const P_NEGATIVE = 4096;
const P_QUANTILES = 8192;

function writeNumbers(w: ByteWriter, xs: number[]): void {
  w.uvarint(xs.length);
  for (const x of xs) w.f64(x);
}

function readNumbers(r: ByteReader): number[] {
  const n = r.uvarint();
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = r.f64();
  return out;
}

/** Counts are non-negative integers in OTLP; store as varints. */
function writeCounts(w: ByteWriter, xs: number[]): void {
  w.uvarint(xs.length);
  for (const x of xs) {
    if (Number.isSafeInteger(x) && x >= 0) w.uvarint(x * 2);
    else {
      w.uvarint(1);
      w.f64(x);
    }
  }
}

function readCounts(r: ByteReader): number[] {
  const n = r.uvarint();
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const h = r.uvarint();
    out[i] = h === 1 ? r.f64() : h / 2;
  }
  return out;
}

function writeBuckets(w: ByteWriter, b: ExponentialBuckets): void {
  w.svarint(b.offset);
  writeCounts(w, b.bucketCounts);
}

function readBuckets(r: ByteReader): ExponentialBuckets {
  return { offset: r.svarint(), bucketCounts: readCounts(r) };
}

export function writePointPayload(w: ByteWriter, p: MetricPoint, dict: AttrEncoder): void {
  let bits = 0;
  if (p.flags !== undefined) bits |= P_FLAGS;
  if (p.value !== undefined) bits |= P_VALUE;
  if (p.count !== undefined) bits |= P_COUNT;
  if (p.sum !== undefined) bits |= P_SUM;
  if (p.min !== undefined) bits |= P_MIN;
  if (p.max !== undefined) bits |= P_MAX;
  if (p.bucketCounts !== undefined) bits |= P_BUCKETS;
  if (p.explicitBounds !== undefined) bits |= P_BOUNDS;
  if (p.scale !== undefined) bits |= P_SCALE;
  if (p.zeroCount !== undefined) bits |= P_ZERO_COUNT;
  if (p.zeroThreshold !== undefined) bits |= P_ZERO_THRESHOLD;
  if (p.positive !== undefined) bits |= P_POSITIVE;
  if (p.negative !== undefined) bits |= P_NEGATIVE;
  if (p.quantiles !== undefined) bits |= P_QUANTILES;
  w.uvarint(bits);
  writeAttributes(w, p.attributes, dict);
  if (bits & P_FLAGS) w.uvarint(p.flags!);
  if (bits & P_VALUE) w.f64(p.value!);
  if (bits & P_COUNT) w.f64(p.count!);
  if (bits & P_SUM) w.f64(p.sum!);
  if (bits & P_MIN) w.f64(p.min!);
  if (bits & P_MAX) w.f64(p.max!);
  if (bits & P_BUCKETS) writeCounts(w, p.bucketCounts!);
  if (bits & P_BOUNDS) writeNumbers(w, p.explicitBounds!);
  if (bits & P_SCALE) w.svarint(p.scale!);
  if (bits & P_ZERO_COUNT) w.f64(p.zeroCount!);
  if (bits & P_ZERO_THRESHOLD) w.f64(p.zeroThreshold!);
  if (bits & P_POSITIVE) writeBuckets(w, p.positive!);
  if (bits & P_NEGATIVE) writeBuckets(w, p.negative!);
  if (bits & P_QUANTILES) {
    w.uvarint(p.quantiles!.length);
    for (const q of p.quantiles!) {
      w.f64(q.quantile);
      w.f64(q.value);
    }
  }
}

export function readPointPayload(buf: Uint8Array, p: MetricPoint, dict: AttrDecoder): void {
  const r = new ByteReader(buf);
  const bits = r.uvarint();
  p.attributes = readAttributes(r, dict);
  if (bits & P_FLAGS) p.flags = r.uvarint();
  if (bits & P_VALUE) p.value = r.f64();
  if (bits & P_COUNT) p.count = r.f64();
  if (bits & P_SUM) p.sum = r.f64();
  if (bits & P_MIN) p.min = r.f64();
  if (bits & P_MAX) p.max = r.f64();
  if (bits & P_BUCKETS) p.bucketCounts = readCounts(r);
  if (bits & P_BOUNDS) p.explicitBounds = readNumbers(r);
  if (bits & P_SCALE) p.scale = r.svarint();
  if (bits & P_ZERO_COUNT) p.zeroCount = r.f64();
  if (bits & P_ZERO_THRESHOLD) p.zeroThreshold = r.f64();
  if (bits & P_POSITIVE) p.positive = readBuckets(r);
  if (bits & P_NEGATIVE) p.negative = readBuckets(r);
  if (bits & P_QUANTILES) {
    const n = r.uvarint();
    p.quantiles = [];
    for (let i = 0; i < n; i++) p.quantiles.push({ quantile: r.f64(), value: r.f64() });
  }
}

const L_BODY = 1;
const L_FLAGS = 2;
const L_EVENT_NAME = 4;
const L_DROPPED = 8;

export function writeLogPayload(w: ByteWriter, l: LogRecord, dict: AttrEncoder): void {
  let bits = 0;
  if (l.body !== undefined) bits |= L_BODY;
  if (l.flags !== undefined) bits |= L_FLAGS;
  if (l.eventName !== undefined) bits |= L_EVENT_NAME;
  if (l.droppedAttributesCount !== undefined) bits |= L_DROPPED;
  w.uvarint(bits);
  writeAttributes(w, l.attributes, dict);
  if (bits & L_BODY) writeValue(w, l.body!);
  if (bits & L_FLAGS) w.uvarint(l.flags!);
  if (bits & L_EVENT_NAME) w.string(l.eventName!);
  if (bits & L_DROPPED) w.uvarint(l.droppedAttributesCount!);
}

export function readLogPayload(buf: Uint8Array, l: LogRecord, dict: AttrDecoder): void {
  const r = new ByteReader(buf);
  const bits = r.uvarint();
  l.attributes = readAttributes(r, dict);
  if (bits & L_BODY) l.body = readValue(r);
  if (bits & L_FLAGS) l.flags = r.uvarint();
  if (bits & L_EVENT_NAME) l.eventName = r.string();
  if (bits & L_DROPPED) l.droppedAttributesCount = r.uvarint();
}
