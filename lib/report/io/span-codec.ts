// Spans between the reader threads and the analyzing thread as one transferable ArrayBuffer per
// batch. Structured clone of model Spans cost more than parsing them (measured at 200k spans:
// ~0.7 s to serialize in the reader, ~1.3 s to deserialize on the analyzing thread, which is the
// bottleneck); this encoding moves the bytes without a copy, and the decoder builds exactly the
// objects the analysis keeps. Repeated strings (names, attribute keys and values), resources and
// scopes are sent once per reader and referenced by index afterwards, so the analyzing thread
// also holds one copy of each instead of one per span.
//
// Exact: every Span field, optional-field presence, bigint times outside 64 bits, nested
// attribute values, bytes. One SpanEncoder talks to exactly one SpanDecoder, batches in order.
import type { Attributes, AttributeValue, InstrumentationScope, Resource, Span, SpanEvent, SpanKind, SpanLink, StatusCode } from '../../model/index.ts';
import { SPAN_KINDS, STATUS_CODES } from '../../model/index.ts';

/** Bounds on what one reader interns (the decoder keeps the same tables). */
const MAX_STRINGS = 100_000;
const MAX_STRING_CHARS = 4 * 1024 * 1024;
const MAX_INTERNED_LENGTH = 512;
const MAX_SHAPES = 10_000;

// String header: (x << 2) | tag, with x an index (REF) or a byte length (NEW, INLINE).
const STR_REF = 0;
const STR_NEW = 1;
const STR_INLINE = 2;

// Resource/scope header: (x << 2) | tag, with x an index (REF); NEW and INLINE carry the object.
const OBJ_REF = 0;
const OBJ_NEW = 1;
const OBJ_INLINE = 2;

// Attribute value tags.
const V_NULL = 0;
const V_STRING = 1;
const V_NUMBER = 2;
const V_TRUE = 3;
const V_FALSE = 4;
const V_BIGINT = 5;
const V_BYTES = 6;
const V_ARRAY = 7;
const V_KVLIST = 8;

// Span presence flags.
const F_PARENT = 1 << 0;
const F_TRACE_STATE = 1 << 1;
const F_FLAGS = 1 << 2;
const F_DROPPED_ATTRS = 1 << 3;
const F_DROPPED_EVENTS = 1 << 4;
const F_DROPPED_LINKS = 1 << 5;
const F_SHARED = 1 << 6;
const F_STATUS_MESSAGE = 1 << 7;
const F_SAME_TRACE = 1 << 8;
const F_SHARED_FALSE = 1 << 9;

const U64_LIMIT = 1n << 64n;
const KIND_INDEX: Record<string, number> = Object.fromEntries(SPAN_KINDS.map((k, i) => [k, i]));
const STATUS_INDEX: Record<string, number> = Object.fromEntries(STATUS_CODES.map((k, i) => [k, i]));

/** A growable little-endian byte buffer. */
class ByteWriter {
  bytes: Buffer;
  view: DataView;
  pos = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.from(new ArrayBuffer(capacity));
    this.view = new DataView(this.bytes.buffer);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = Buffer.from(new ArrayBuffer(cap));
    this.bytes.copy(next, 0, 0, this.pos);
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.bytes[this.pos++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A string's UTF-8 bytes after a header (x << 2) | tag; returns nothing, header filled in. */
  rawString(s: string, tag: number): void {
    this.ensure(4 + s.length * 3);
    const at = this.pos;
    const n = this.bytes.write(s, at + 4, 'utf8');
    this.view.setUint32(at, (n * 4 + tag) >>> 0, true);
    this.pos = at + 4 + n;
  }
}

/** Reader side: spans → one ArrayBuffer per batch. */
export class SpanEncoder {
  private w = new ByteWriter(1 << 20);
  private readonly strings = new Map<string, number>();
  private stringChars = 0;
  private readonly resources = new Map<string, number>();
  private readonly scopes = new Map<string, number>();
  private readonly scratch = new ByteWriter(4096);
  private lastResource: Resource | undefined;
  private lastResourceHeader = 0;
  private lastScope: InstrumentationScope | undefined;
  private lastScopeHeader = 0;
  private lastTraceId = '';
  private count = 0;
  private nextCapacity = 1 << 20;

  /** Appends spans to the current batch. */
  add(spans: readonly Span[]): void {
    for (const s of spans) this.span(s);
    this.count += spans.length;
  }

  /** The batch so far as a transferable buffer (`bytes` long, holding `spans` spans); starts a new one. */
  take(): { buffer: ArrayBuffer; bytes: number; spans: number } {
    const out = { buffer: this.w.bytes.buffer as ArrayBuffer, bytes: this.w.pos, spans: this.count };
    // The next batch is probably as big as this one: size it so it rarely regrows.
    this.nextCapacity = Math.max(1 << 16, Math.ceil(this.w.pos * 1.25));
    this.w = new ByteWriter(this.nextCapacity);
    this.count = 0;
    // References to the last resource/scope/trace are per batch: the decoder's state is too.
    this.lastResource = undefined;
    this.lastScope = undefined;
    this.lastTraceId = '';
    return out;
  }

  private span(s: Span): void {
    const w = this.w;
    let flags = 0;
    if (s.parentSpanId !== undefined) flags |= F_PARENT;
    if (s.traceState !== undefined) flags |= F_TRACE_STATE;
    if (s.flags !== undefined) flags |= F_FLAGS;
    if (s.droppedAttributesCount !== undefined) flags |= F_DROPPED_ATTRS;
    if (s.droppedEventsCount !== undefined) flags |= F_DROPPED_EVENTS;
    if (s.droppedLinksCount !== undefined) flags |= F_DROPPED_LINKS;
    if (s.shared === true) flags |= F_SHARED;
    else if (s.shared === false) flags |= F_SHARED_FALSE;
    if (s.status.message !== undefined) flags |= F_STATUS_MESSAGE;
    if (s.traceId === this.lastTraceId) flags |= F_SAME_TRACE;
    w.u32(flags);
    if (!(flags & F_SAME_TRACE)) {
      w.rawString(s.traceId, STR_INLINE);
      this.lastTraceId = s.traceId;
    }
    w.rawString(s.spanId, STR_INLINE);
    if (s.parentSpanId !== undefined) w.rawString(s.parentSpanId, STR_INLINE);
    this.str(s.name);
    w.u8(KIND_INDEX[s.kind] ?? 0);
    w.u8(STATUS_INDEX[s.status.code] ?? 0);
    if (s.status.message !== undefined) this.str(s.status.message);
    this.nanos(s.startNs);
    this.nanos(s.endNs);
    w.f64(s.durationNs);
    this.attributes(s.attributes, w);
    w.u32(s.events.length);
    for (const e of s.events) this.event(e);
    w.u32(s.links.length);
    for (const l of s.links) this.link(l);
    if (s.traceState !== undefined) this.str(s.traceState);
    if (s.flags !== undefined) w.f64(s.flags);
    if (s.droppedAttributesCount !== undefined) w.f64(s.droppedAttributesCount);
    if (s.droppedEventsCount !== undefined) w.f64(s.droppedEventsCount);
    if (s.droppedLinksCount !== undefined) w.f64(s.droppedLinksCount);
    // Consecutive spans mostly share their resource and scope objects: skip the content key.
    if (s.resource === this.lastResource) w.u32(this.lastResourceHeader);
    else {
      this.lastResourceHeader = this.shape(s.resource, this.resources, writeResource);
      this.lastResource = this.lastResourceHeader === OBJ_INLINE ? undefined : s.resource;
    }
    if (s.scope === this.lastScope) w.u32(this.lastScopeHeader);
    else {
      this.lastScopeHeader = this.shape(s.scope, this.scopes, writeScope);
      this.lastScope = this.lastScopeHeader === OBJ_INLINE ? undefined : s.scope;
    }
  }

  /**
   * A resource or scope: by reference once sent. Identity is by content (each OTLP request
   * brings its own Resource objects), keyed by the object's own encoding. Returns the header
   * a repeat of the same object can reuse (a REF once the decoder knows it).
   */
  private shape<T>(obj: T, table: Map<string, number>, write: (w: ByteWriter, obj: T) => void): number {
    const sc = this.scratch;
    sc.pos = 0;
    write(sc, obj);
    const key = sc.bytes.toString('latin1', 0, sc.pos);
    const known = table.get(key);
    const w = this.w;
    if (known !== undefined) {
      const header = (known * 4 + OBJ_REF) >>> 0;
      w.u32(header);
      return header;
    }
    const store = table.size < MAX_SHAPES;
    w.u32(store ? OBJ_NEW : OBJ_INLINE);
    w.ensure(sc.pos);
    sc.bytes.copy(w.bytes, w.pos, 0, sc.pos);
    w.pos += sc.pos;
    if (!store) return OBJ_INLINE;
    const index = table.size;
    table.set(key, index);
    return (index * 4 + OBJ_REF) >>> 0;
  }

  private str(s: string): void {
    const known = this.strings.get(s);
    if (known !== undefined) {
      this.w.u32((known * 4 + STR_REF) >>> 0);
      return;
    }
    if (s.length <= MAX_INTERNED_LENGTH && this.strings.size < MAX_STRINGS && this.stringChars + s.length <= MAX_STRING_CHARS) {
      this.strings.set(s, this.strings.size);
      this.stringChars += s.length;
      this.w.rawString(s, STR_NEW);
      return;
    }
    this.w.rawString(s, STR_INLINE);
  }

  private nanos(v: bigint): void {
    const w = this.w;
    if (v >= 0n && v < U64_LIMIT) {
      w.u8(0);
      w.ensure(8);
      w.view.setBigUint64(w.pos, v, true);
      w.pos += 8;
    } else {
      w.u8(1);
      w.rawString(v.toString(), STR_INLINE);
    }
  }

  /** Interned strings: the codec's string table, shared by every span of the batch. */
  private readonly internStr = (v: string): void => this.str(v);

  private attributes(a: Attributes, w: ByteWriter): void {
    writeAttributes(w, a, this.internStr);
  }

  private event(e: SpanEvent): void {
    const w = this.w;
    w.u8(e.droppedAttributesCount !== undefined ? 1 : 0);
    this.nanos(e.timeNs);
    this.str(e.name);
    this.attributes(e.attributes, w);
    if (e.droppedAttributesCount !== undefined) w.f64(e.droppedAttributesCount);
  }

  private link(l: SpanLink): void {
    const w = this.w;
    w.u8((l.traceState !== undefined ? 1 : 0) | (l.flags !== undefined ? 2 : 0) | (l.droppedAttributesCount !== undefined ? 4 : 0));
    w.rawString(l.traceId, STR_INLINE);
    w.rawString(l.spanId, STR_INLINE);
    this.attributes(l.attributes, w);
    if (l.traceState !== undefined) this.str(l.traceState);
    if (l.flags !== undefined) w.f64(l.flags);
    if (l.droppedAttributesCount !== undefined) w.f64(l.droppedAttributesCount);
  }
}

/** Attributes with strings written by `str` (interned for spans, inline for resources and scopes). */
function writeAttributes(w: ByteWriter, a: Attributes, str: (s: string) => void): void {
  const keys = Object.keys(a);
  w.u32(keys.length);
  for (const k of keys) {
    str(k);
    writeValue(w, a[k], str);
  }
}

function writeValue(w: ByteWriter, v: AttributeValue, str: (s: string) => void): void {
  if (typeof v === 'string') {
    w.u8(V_STRING);
    str(v);
  } else if (typeof v === 'number') {
    w.u8(V_NUMBER);
    w.f64(v);
  } else if (typeof v === 'boolean') {
    w.u8(v ? V_TRUE : V_FALSE);
  } else if (typeof v === 'bigint') {
    w.u8(V_BIGINT);
    w.rawString(v.toString(), STR_INLINE);
  } else if (v === null || v === undefined) {
    w.u8(V_NULL);
  } else if (v instanceof Uint8Array) {
    w.u8(V_BYTES);
    w.u32(v.length);
    w.ensure(v.length);
    w.bytes.set(v, w.pos);
    w.pos += v.length;
  } else if (Array.isArray(v)) {
    w.u8(V_ARRAY);
    w.u32(v.length);
    for (const e of v) writeValue(w, e, str);
  } else {
    w.u8(V_KVLIST);
    writeAttributes(w, v, str);
  }
}

// Resources and scopes are written without string interning: their bytes are their identity.
function plainAttributes(w: ByteWriter, a: Attributes): void {
  writeAttributes(w, a, (s) => w.rawString(s, STR_INLINE));
}

function optString(w: ByteWriter, s: string | undefined): void {
  if (s === undefined) w.u8(0);
  else {
    w.u8(1);
    w.rawString(s, STR_INLINE);
  }
}

function optNumber(w: ByteWriter, n: number | undefined): void {
  if (n === undefined) w.u8(0);
  else {
    w.u8(1);
    w.f64(n);
  }
}

function writeResource(w: ByteWriter, r: Resource): void {
  w.rawString(r.serviceName, STR_INLINE);
  optString(w, r.serviceNamespace);
  optString(w, r.serviceVersion);
  optString(w, r.serviceInstanceId);
  if (r.sdk === undefined) w.u8(0);
  else {
    w.u8(1);
    optString(w, r.sdk.name);
    optString(w, r.sdk.language);
    optString(w, r.sdk.version);
  }
  plainAttributes(w, r.attributes);
  optNumber(w, r.droppedAttributesCount);
}

function writeScope(w: ByteWriter, s: InstrumentationScope): void {
  w.rawString(s.name, STR_INLINE);
  optString(w, s.version);
  if (s.attributes === undefined) w.u8(0);
  else {
    w.u8(1);
    plainAttributes(w, s.attributes);
  }
  optNumber(w, s.droppedAttributesCount);
}

// Shared by every decoded span that has none: the analysis never mutates them.
const NO_EVENTS = Object.freeze([]) as unknown as SpanEvent[];
const NO_LINKS = Object.freeze([]) as unknown as SpanLink[];
const STATUS: readonly Span['status'][] = STATUS_CODES.map((code) => Object.freeze({ code }));

/** Analyzing side: the buffers of one SpanEncoder → Spans, in order. */
export class SpanDecoder {
  private readonly strings: string[] = [];
  private readonly resources: Resource[] = [];
  private readonly scopes: InstrumentationScope[] = [];
  private b: Buffer = Buffer.alloc(0);
  private view = new DataView(new ArrayBuffer(0));
  private pos = 0;

  decode(buffer: ArrayBuffer, bytes: number, spans: number): Span[] {
    this.b = Buffer.from(buffer, 0, bytes);
    this.view = new DataView(buffer, 0, bytes);
    this.pos = 0;
    const out: Span[] = new Array<Span>(spans);
    let traceId = '';
    for (let i = 0; i < spans; i++) {
      const flags = this.u32();
      if (!(flags & F_SAME_TRACE)) traceId = this.str();
      const spanId = this.str();
      const parentSpanId = flags & F_PARENT ? this.str() : undefined;
      const name = this.str();
      const kind: SpanKind = SPAN_KINDS[this.b[this.pos++]] ?? 'unspecified';
      const code = this.b[this.pos++];
      const status = flags & F_STATUS_MESSAGE ? { code: STATUS_CODES[code] as StatusCode, message: this.str() } : STATUS[code];
      const startNs = this.nanos();
      const endNs = this.nanos();
      const durationNs = this.f64();
      const attributes = this.attributes();
      const ne = this.u32();
      let events = NO_EVENTS;
      if (ne > 0) {
        events = [];
        for (let k = 0; k < ne; k++) events.push(this.event());
      }
      const nl = this.u32();
      let links = NO_LINKS;
      if (nl > 0) {
        links = [];
        for (let k = 0; k < nl; k++) links.push(this.link());
      }
      const span: Span = { traceId, spanId, name, kind, startNs, endNs, durationNs, status, attributes, events, links, resource: undefined as unknown as Resource, scope: undefined as unknown as InstrumentationScope };
      if (parentSpanId !== undefined) span.parentSpanId = parentSpanId;
      if (flags & F_TRACE_STATE) span.traceState = this.str();
      if (flags & F_FLAGS) span.flags = this.f64();
      if (flags & F_DROPPED_ATTRS) span.droppedAttributesCount = this.f64();
      if (flags & F_DROPPED_EVENTS) span.droppedEventsCount = this.f64();
      if (flags & F_DROPPED_LINKS) span.droppedLinksCount = this.f64();
      if (flags & F_SHARED) span.shared = true;
      else if (flags & F_SHARED_FALSE) span.shared = false;
      span.resource = this.shape(this.resources, readResource, 'resource');
      span.scope = this.shape(this.scopes, readScope, 'scope');
      out[i] = span;
    }
    if (this.pos !== bytes) throw new Error(`span batch: decoded ${this.pos} of ${bytes} bytes`);
    return out;
  }

  u8(): number {
    return this.b[this.pos++];
  }

  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Raw UTF-8 after a header (no table). */
  rawAfter(header: number): string {
    const n = Math.floor(header / 4);
    const s = this.b.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  private str(): string {
    const h = this.u32();
    const tag = h & 3;
    if (tag === STR_REF) return this.strings[Math.floor(h / 4)];
    const s = this.rawAfter(h);
    if (tag === STR_NEW) this.strings.push(s);
    return s;
  }

  private nanos(): bigint {
    const tag = this.b[this.pos++];
    if (tag === 0) {
      const v = this.view.getBigUint64(this.pos, true);
      this.pos += 8;
      return v;
    }
    return BigInt(this.str());
  }

  attributes(): Attributes {
    const n = this.u32();
    const out: Attributes = {};
    for (let i = 0; i < n; i++) {
      const k = this.str();
      out[k] = this.value(false);
    }
    return out;
  }

  plainAttributes(): Attributes {
    const n = this.u32();
    const out: Attributes = {};
    for (let i = 0; i < n; i++) {
      const k = this.rawAfter(this.u32());
      out[k] = this.value(true);
    }
    return out;
  }

  private value(plain: boolean): AttributeValue {
    const tag = this.b[this.pos++];
    switch (tag) {
      case V_STRING:
        return plain ? this.rawAfter(this.u32()) : this.str();
      case V_NUMBER:
        return this.f64();
      case V_TRUE:
        return true;
      case V_FALSE:
        return false;
      case V_BIGINT:
        return BigInt(this.str());
      case V_BYTES: {
        const n = this.u32();
        const bytes = new Uint8Array(n);
        bytes.set(this.b.subarray(this.pos, this.pos + n));
        this.pos += n;
        return bytes;
      }
      case V_ARRAY: {
        const n = this.u32();
        const arr: AttributeValue[] = [];
        for (let i = 0; i < n; i++) arr.push(this.value(plain));
        return arr;
      }
      case V_KVLIST:
        return plain ? this.plainAttributes() : this.attributes();
      default:
        return null;
    }
  }

  optString(): string | undefined {
    return this.b[this.pos++] === 1 ? this.rawAfter(this.u32()) : undefined;
  }

  optNumber(): number | undefined {
    return this.b[this.pos++] === 1 ? this.f64() : undefined;
  }

  private shape<T>(table: T[], read: (d: SpanDecoder) => T, which: 'resource' | 'scope'): T {
    const h = this.u32();
    const tag = h & 3;
    if (tag === OBJ_REF) {
      const known = table[Math.floor(h / 4)];
      if (known === undefined) throw new Error(`span batch: unknown ${which} ${Math.floor(h / 4)}`);
      return known;
    }
    const obj = read(this);
    if (tag === OBJ_NEW) table.push(obj);
    return obj;
  }

  private event(): SpanEvent {
    const hasDropped = this.b[this.pos++] === 1;
    const ev: SpanEvent = { timeNs: this.nanos(), name: this.str(), attributes: this.attributes() };
    if (hasDropped) ev.droppedAttributesCount = this.f64();
    return ev;
  }

  private link(): SpanLink {
    const f = this.b[this.pos++];
    const link: SpanLink = { traceId: this.str(), spanId: this.str(), attributes: this.attributes() };
    if (f & 1) link.traceState = this.str();
    if (f & 2) link.flags = this.f64();
    if (f & 4) link.droppedAttributesCount = this.f64();
    return link;
  }
}

function readResource(d: SpanDecoder): Resource {
  const serviceName = d.rawAfter(d.u32());
  const ns = d.optString();
  const version = d.optString();
  const instance = d.optString();
  let sdk: Resource['sdk'];
  if (d.u8() === 1) {
    sdk = {};
    const name = d.optString();
    const language = d.optString();
    const v = d.optString();
    if (name !== undefined) sdk.name = name;
    if (language !== undefined) sdk.language = language;
    if (v !== undefined) sdk.version = v;
  }
  const r: Resource = { serviceName, attributes: d.plainAttributes() };
  if (ns !== undefined) r.serviceNamespace = ns;
  if (version !== undefined) r.serviceVersion = version;
  if (instance !== undefined) r.serviceInstanceId = instance;
  if (sdk !== undefined) r.sdk = sdk;
  const dropped = d.optNumber();
  if (dropped !== undefined) r.droppedAttributesCount = dropped;
  return r;
}

function readScope(d: SpanDecoder): InstrumentationScope {
  const s: InstrumentationScope = { name: d.rawAfter(d.u32()) };
  const version = d.optString();
  if (version !== undefined) s.version = version;
  if (d.u8() === 1) s.attributes = d.plainAttributes();
  const dropped = d.optNumber();
  if (dropped !== undefined) s.droppedAttributesCount = dropped;
  return s;
}
