// A span's payload column: everything not needed as its own column for lookup or search.
// Presence bits keep `undefined` distinct from zero/empty so every field round-trips.
// Event times are stored as deltas from the span start (small varints).
import type { Span, SpanEvent, SpanLink } from '../../model/index.ts';
import { type AttrDecoder, type AttrEncoder, readAttributes, writeAttributes } from './attributes.ts';
import type { ByteWriter } from './bytes.ts';
import { ByteReader } from './bytes.ts';

const TRACE_STATE = 1;
const FLAGS = 2;
const STATUS_MESSAGE = 4;
const DROPPED_ATTRIBUTES = 8;
const DROPPED_EVENTS = 16;
const DROPPED_LINKS = 32;
const SHARED = 64;
const SHARED_TRUE = 128;
const EVENTS = 256;
const LINKS = 512;

const L_TRACE_STATE = 1;
const L_FLAGS = 2;
const L_DROPPED = 4;

/** The part of a span the payload carries. */
export type SpanPayloadFields = Pick<
  Span,
  | 'traceState'
  | 'flags'
  | 'attributes'
  | 'events'
  | 'links'
  | 'droppedAttributesCount'
  | 'droppedEventsCount'
  | 'droppedLinksCount'
  | 'shared'
> & { statusMessage?: string };

export function writeSpanPayload(w: ByteWriter, s: Span, dict: AttrEncoder): void {
  let bits = 0;
  if (s.traceState !== undefined) bits |= TRACE_STATE;
  if (s.flags !== undefined) bits |= FLAGS;
  if (s.status.message !== undefined) bits |= STATUS_MESSAGE;
  if (s.droppedAttributesCount !== undefined) bits |= DROPPED_ATTRIBUTES;
  if (s.droppedEventsCount !== undefined) bits |= DROPPED_EVENTS;
  if (s.droppedLinksCount !== undefined) bits |= DROPPED_LINKS;
  if (s.shared !== undefined) bits |= SHARED | (s.shared ? SHARED_TRUE : 0);
  if (s.events.length > 0) bits |= EVENTS;
  if (s.links.length > 0) bits |= LINKS;
  w.uvarint(bits);
  writeAttributes(w, s.attributes, dict);
  if (bits & TRACE_STATE) w.string(s.traceState!);
  if (bits & FLAGS) w.uvarint(s.flags!);
  if (bits & STATUS_MESSAGE) w.string(s.status.message!);
  if (bits & DROPPED_ATTRIBUTES) w.uvarint(s.droppedAttributesCount!);
  if (bits & DROPPED_EVENTS) w.uvarint(s.droppedEventsCount!);
  if (bits & DROPPED_LINKS) w.uvarint(s.droppedLinksCount!);
  if (bits & EVENTS) writeEvents(w, s.events, s.startNs, dict);
  if (bits & LINKS) writeLinks(w, s.links, dict);
}

function writeEvents(w: ByteWriter, events: SpanEvent[], startNs: bigint, dict: AttrEncoder): void {
  w.uvarint(events.length);
  for (const e of events) {
    w.bigvarint(e.timeNs - startNs);
    w.uvarint(dict.keyId(e.name));
    writeAttributes(w, e.attributes, dict);
    w.uvarint(e.droppedAttributesCount === undefined ? 0 : e.droppedAttributesCount + 1);
  }
}

function writeLinks(w: ByteWriter, links: SpanLink[], dict: AttrEncoder): void {
  w.uvarint(links.length);
  for (const l of links) {
    w.hex(l.traceId, 16);
    w.hex(l.spanId, 8);
    let bits = 0;
    if (l.traceState !== undefined) bits |= L_TRACE_STATE;
    if (l.flags !== undefined) bits |= L_FLAGS;
    if (l.droppedAttributesCount !== undefined) bits |= L_DROPPED;
    w.uvarint(bits);
    if (bits & L_TRACE_STATE) w.string(l.traceState!);
    if (bits & L_FLAGS) w.uvarint(l.flags!);
    if (bits & L_DROPPED) w.uvarint(l.droppedAttributesCount!);
    writeAttributes(w, l.attributes, dict);
  }
}

/** Decodes a payload into the span under construction (which already has startNs). */
export function readSpanPayload(buf: Uint8Array, span: Span, dict: AttrDecoder): void {
  const r = new ByteReader(buf);
  const bits = r.uvarint();
  span.attributes = readAttributes(r, dict);
  if (bits & TRACE_STATE) span.traceState = r.string();
  if (bits & FLAGS) span.flags = r.uvarint();
  if (bits & STATUS_MESSAGE) span.status.message = r.string();
  if (bits & DROPPED_ATTRIBUTES) span.droppedAttributesCount = r.uvarint();
  if (bits & DROPPED_EVENTS) span.droppedEventsCount = r.uvarint();
  if (bits & DROPPED_LINKS) span.droppedLinksCount = r.uvarint();
  if (bits & SHARED) span.shared = (bits & SHARED_TRUE) !== 0;
  if (bits & EVENTS) {
    const n = r.uvarint();
    for (let i = 0; i < n; i++) {
      const timeNs = span.startNs + r.bigvarint();
      const name = dict.key(r.uvarint());
      const attributes = readAttributes(r, dict);
      const dropped = r.uvarint();
      const e: SpanEvent = { timeNs, name, attributes };
      if (dropped > 0) e.droppedAttributesCount = dropped - 1;
      span.events.push(e);
    }
  }
  if (bits & LINKS) {
    const n = r.uvarint();
    for (let i = 0; i < n; i++) {
      const traceId = r.hex(16);
      const spanId = r.hex(8);
      const lb = r.uvarint();
      const l: SpanLink = { traceId, spanId, attributes: {} };
      if (lb & L_TRACE_STATE) l.traceState = r.string();
      if (lb & L_FLAGS) l.flags = r.uvarint();
      if (lb & L_DROPPED) l.droppedAttributesCount = r.uvarint();
      l.attributes = readAttributes(r, dict);
      span.links.push(l);
    }
  }
}

/** Only the attributes (search filters), skipping the rest. */
export function readSpanAttributes(buf: Uint8Array, dict: AttrDecoder) {
  const r = new ByteReader(buf);
  r.uvarint();
  return readAttributes(r, dict);
}
