// In-memory views of the dictionary tables (strings, attribute pairs, services, operations,
// resources, scopes, metric descriptors), filled lazily from the database.
//
// Writes: a miss looks the row up and inserts it when absent (unique columns keep several
// processes sharing one file consistent). Ids created inside a write transaction are only
// trusted after COMMIT: `rollback()` forgets them, so a failed batch never leaves the cache
// pointing at rows that do not exist.
//
// Attribute values are interned as (key, value) pairs while a key has few distinct values
// (routes, methods, status codes, db statements); past `maxValuesPerKey` distinct values a
// key is high-cardinality (paths with ids, addresses) and its new values are stored inline.
import type Database from 'better-sqlite3';
import type { AttributeValue, InstrumentationScope, Resource } from '../../model/index.ts';
import type { AttrDecoder, AttrEncoder } from '../codec/attributes.ts';
import { ByteReader, ByteWriter } from '../codec/bytes.ts';
import {
  type MetricDescriptorFields,
  readDescriptor,
  readResource,
  readScope,
  writeDescriptor,
  writeResource,
  writeScope,
} from '../codec/entities.ts';
import { decodeValue, encodeValue } from '../codec/value.ts';
import { SQL } from '../sql/sqlite.ts';

export interface DictionaryOptions {
  /** Distinct interned values per attribute key before new values go inline. */
  maxValuesPerKey?: number;
  /** Longest string value that is interned. */
  maxInternedLength?: number;
}

type Stmt = Database.Statement;
type Primitive = string | number | boolean;

/**
 * Caches are bounded: high-cardinality names (span names with ids in them, attacker-chosen
 * keys) must not grow memory without limit. Past the cap a map starts over; it refills from
 * the database on demand.
 */
const MAX_CACHED = 200_000;

function put<K, V>(m: Map<K, V>, k: K, v: V): void {
  if (m.size >= MAX_CACHED && !m.has(k)) m.clear();
  m.set(k, v);
}

/** Thrown by a read-only dictionary (`writable = false`) on a miss that needs a new row. */
export class DictionaryWriteNeeded extends Error {
  override name = 'DictionaryWriteNeeded';
}

function id(v: unknown): number {
  return Number(v);
}

export class Dictionary implements AttrEncoder, AttrDecoder {
  private readonly maxValuesPerKey: number;
  private readonly maxInternedLength: number;
  private readonly st: Record<string, Stmt>;
  private undo: (() => void)[] = [];
  private readonly scratch = new ByteWriter(1024);

  private readonly stringIds = new Map<string, number>();
  private readonly strings = new Map<number, string>();
  /** key id → (value → pair id); present once the key's pairs were loaded. */
  private readonly pairIds = new Map<number, Map<Primitive, number>>();
  private readonly pairs = new Map<number, readonly [string, AttributeValue]>();
  private readonly serviceIds = new Map<string, number>();
  private readonly services = new Map<number, string>();
  private readonly operationIds = new Map<string, number>();
  private readonly operations = new Map<number, { serviceId: number; nameId: number }>();
  private readonly resourceByObject = new WeakMap<Resource, { id: number; serviceId: number }>();
  private readonly resourceByEncoding = new Map<string, { id: number; serviceId: number }>();
  private readonly resources = new Map<number, { resource: Resource; serviceId: number }>();
  private readonly scopeByObject = new WeakMap<InstrumentationScope, number>();
  private readonly scopeByEncoding = new Map<string, number>();
  private readonly scopes = new Map<number, InstrumentationScope>();
  private readonly descriptorIds = new Map<string, number>();
  private readonly descriptors = new Map<number, MetricDescriptorFields>();

  constructor(db: Database.Database, opts: DictionaryOptions = {}) {
    this.maxValuesPerKey = opts.maxValuesPerKey ?? 1000;
    this.maxInternedLength = opts.maxInternedLength ?? 512;
    const names = [
      'stringById', 'stringId', 'insertString', 'pairsOfKey', 'pairById', 'pairId', 'insertPair',
      'serviceById', 'serviceId', 'insertService', 'operationById', 'operationId', 'insertOperation',
      'resourceById', 'resourceId', 'insertResource', 'scopeById', 'scopeId', 'insertScope',
      'descriptorById', 'descriptorId', 'insertDescriptor',
    ] as const;
    this.st = Object.fromEntries(names.map((n) => [n, db.prepare(SQL[n])]));
  }

  /**
   * While false, a miss that would insert a row throws `DictionaryWriteNeeded` instead: the
   * writer encodes spans outside its write transaction (in parallel with another writer's
   * commit) and repeats the encoding inside a transaction only when a new row is needed.
   */
  writable = true;

  private insert(st: Stmt): Stmt {
    if (!this.writable) throw new DictionaryWriteNeeded();
    return st;
  }

  /** Call after COMMIT. */
  commit(): void {
    this.undo.length = 0;
  }

  /** Call after ROLLBACK: forget ids created in the rolled-back transaction. */
  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]();
    this.undo.length = 0;
  }

  // --- strings (attribute keys, span names, event names) ---

  keyId(s: string): number {
    const hit = this.stringIds.get(s);
    if (hit !== undefined) return hit;
    const row = this.st.stringId.get(s) as { id: number } | undefined;
    let v: number;
    if (row) v = id(row.id);
    else {
      v = id(this.insert(this.st.insertString).run(s).lastInsertRowid);
      this.undo.push(() => {
        this.stringIds.delete(s);
        this.strings.delete(v);
      });
    }
    put(this.stringIds, s, v);
    put(this.strings, v, s);
    return v;
  }

  key(stringId: number): string {
    const hit = this.strings.get(stringId);
    if (hit !== undefined) return hit;
    const row = this.st.stringById.get(stringId) as { value: string } | undefined;
    if (!row) throw new RangeError(`dictionary string ${stringId} missing`);
    put(this.strings, stringId, row.value);
    return row.value;
  }

  // --- attribute pairs ---

  private pairsOf(keyId: number): Map<Primitive, number> {
    let m = this.pairIds.get(keyId);
    if (m) return m;
    m = new Map();
    for (const row of this.st.pairsOfKey.all(keyId) as { id: number; value: Buffer }[]) {
      const v = decodeValue(row.value);
      if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && !Object.is(v, -0))) m.set(v, id(row.id));
    }
    put(this.pairIds, keyId, m);
    return m;
  }

  /** key string → [key id, that key's interned pairs] (the pairs map loaded on first use). */
  private readonly keyEntries = new Map<string, { id: number; pairs: Map<Primitive, number> }>();

  entryHeader(key: string, value: unknown): number {
    let e = this.keyEntries.get(key);
    if (e === undefined) {
      const keyId = this.keyId(key);
      e = { id: keyId, pairs: this.pairsOf(keyId) };
      put(this.keyEntries, key, e);
      const created = e;
      // A rolled-back key id must not stay cached here either.
      this.undo.push(() => {
        if (this.keyEntries.get(key) === created) this.keyEntries.delete(key);
      });
    }
    const hit = e.pairs.get(value as Primitive);
    // Map keys compare with SameValueZero: -0 would find the pair of 0.
    if (hit !== undefined && !Object.is(value, -0)) return hit * 2 + 1;
    const p = this.pairId(e.id, value);
    return p === undefined ? e.id * 2 : p * 2 + 1;
  }

  pairId(keyId: number, value: unknown): number | undefined {
    switch (typeof value) {
      case 'string':
        if (value.length > this.maxInternedLength) return undefined;
        break;
      case 'number':
        // Map keys compare with SameValueZero: -0 would collide with 0, so -0 stays inline.
        if (Object.is(value, -0)) return undefined;
        break;
      case 'boolean':
        break;
      default:
        return undefined;
    }
    const m = this.pairsOf(keyId);
    const hit = m.get(value as Primitive);
    if (hit !== undefined) return hit;
    if (m.size >= this.maxValuesPerKey) return undefined;
    const encoded = encodeValue(value as Primitive);
    const row = this.st.pairId.get(keyId, encoded) as { id: number } | undefined;
    let v: number;
    if (row) v = id(row.id);
    else {
      v = id(this.insert(this.st.insertPair).run(keyId, encoded).lastInsertRowid);
      this.undo.push(() => {
        m.delete(value as Primitive);
        this.pairs.delete(v);
      });
    }
    m.set(value as Primitive, v);
    return v;
  }

  pair(pairId: number): readonly [string, AttributeValue] {
    const hit = this.pairs.get(pairId);
    if (hit) return hit;
    const row = this.st.pairById.get(pairId) as { key_id: number; value: Buffer } | undefined;
    if (!row) throw new RangeError(`attribute pair ${pairId} missing`);
    const p = [this.key(id(row.key_id)), decodeValue(row.value)] as const;
    put(this.pairs, pairId, p);
    return p;
  }

  /** The interned pair id of key=value if one exists (search filters); never creates one. */
  findPair(key: string, value: Primitive): number | undefined {
    const keyId = this.stringIds.get(key) ?? (this.st.stringId.get(key) as { id: number } | undefined)?.id;
    if (keyId === undefined) return undefined;
    return this.pairsOf(id(keyId)).get(value);
  }

  // --- services and operations ---

  serviceId(name: string): number {
    const hit = this.serviceIds.get(name);
    if (hit !== undefined) return hit;
    const row = this.st.serviceId.get(name) as { id: number } | undefined;
    let v: number;
    if (row) v = id(row.id);
    else {
      v = id(this.insert(this.st.insertService).run(name).lastInsertRowid);
      this.undo.push(() => {
        this.serviceIds.delete(name);
        this.services.delete(v);
      });
    }
    put(this.serviceIds, name, v);
    put(this.services, v, name);
    return v;
  }

  /** Existing service id or undefined (queries never create rows). */
  findServiceId(name: string): number | undefined {
    const hit = this.serviceIds.get(name);
    if (hit !== undefined) return hit;
    const row = this.st.serviceId.get(name) as { id: number } | undefined;
    if (!row) return undefined;
    put(this.serviceIds, name, id(row.id));
    put(this.services, id(row.id), name);
    return id(row.id);
  }

  findStringId(s: string): number | undefined {
    const hit = this.stringIds.get(s);
    if (hit !== undefined) return hit;
    const row = this.st.stringId.get(s) as { id: number } | undefined;
    return row ? id(row.id) : undefined;
  }

  serviceName(serviceId: number): string {
    const hit = this.services.get(serviceId);
    if (hit !== undefined) return hit;
    const row = this.st.serviceById.get(serviceId) as { name: string } | undefined;
    if (!row) throw new RangeError(`service ${serviceId} missing`);
    put(this.services, serviceId, row.name);
    return row.name;
  }

  operationId(serviceId: number, nameId: number): number {
    const k = `${serviceId}:${nameId}`;
    const hit = this.operationIds.get(k);
    if (hit !== undefined) return hit;
    const row = this.st.operationId.get(serviceId, nameId) as { id: number } | undefined;
    let v: number;
    if (row) v = id(row.id);
    else {
      v = id(this.insert(this.st.insertOperation).run(serviceId, nameId).lastInsertRowid);
      this.undo.push(() => {
        this.operationIds.delete(k);
        this.operations.delete(v);
      });
    }
    put(this.operationIds, k, v);
    put(this.operations, v, { serviceId, nameId });
    return v;
  }

  /** service id → span name → operation id: one lookup per span on the hot path. */
  private readonly operationsByName = new Map<number, Map<string, number>>();

  operationOf(serviceId: number, name: string): number {
    let byName = this.operationsByName.get(serviceId);
    if (byName === undefined) {
      byName = new Map();
      put(this.operationsByName, serviceId, byName);
    }
    const hit = byName.get(name);
    if (hit !== undefined) return hit;
    const opId = this.operationId(serviceId, this.keyId(name));
    put(byName, name, opId);
    const cached = byName;
    this.undo.push(() => cached.delete(name));
    return opId;
  }

  operationName(operationId: number): string {
    let op = this.operations.get(operationId);
    if (!op) {
      const row = this.st.operationById.get(operationId) as { service_id: number; name_id: number } | undefined;
      if (!row) throw new RangeError(`operation ${operationId} missing`);
      op = { serviceId: id(row.service_id), nameId: id(row.name_id) };
      put(this.operations, operationId, op);
    }
    return this.key(op.nameId);
  }

  // --- resources, scopes, descriptors (the encoding is the identity) ---

  resource(r: Resource): { id: number; serviceId: number } {
    const byObj = this.resourceByObject.get(r);
    if (byObj) return byObj;
    this.scratch.reset();
    writeResource(this.scratch, r);
    const encoded = this.scratch.copy();
    const k = encoded.toString('latin1');
    let entry = this.resourceByEncoding.get(k);
    if (!entry) {
      const row = this.st.resourceId.get(encoded) as { id: number; service_id: number } | undefined;
      if (row) entry = { id: id(row.id), serviceId: id(row.service_id) };
      else {
        const serviceId = this.serviceId(r.serviceName);
        const newId = id(
          this.insert(this.st.insertResource).run(
            encoded, serviceId, r.serviceName, r.serviceNamespace ?? null, r.serviceVersion ?? null,
            r.serviceInstanceId ?? null, r.sdk?.name ?? null, r.sdk?.language ?? null, r.sdk?.version ?? null,
          ).lastInsertRowid,
        );
        entry = { id: newId, serviceId };
        this.undo.push(() => {
          this.resourceByEncoding.delete(k);
          this.resourceByObject.delete(r);
          this.resources.delete(newId);
        });
      }
      put(this.resourceByEncoding, k, entry);
    }
    this.resourceByObject.set(r, entry);
    return entry;
  }

  resourceById(resourceId: number): Resource {
    const hit = this.resources.get(resourceId);
    if (hit) return hit.resource;
    const row = this.st.resourceById.get(resourceId) as { encoded: Buffer; service_id: number } | undefined;
    if (!row) throw new RangeError(`resource ${resourceId} missing`);
    const resource = readResource(new ByteReader(row.encoded));
    put(this.resources, resourceId, { resource, serviceId: id(row.service_id) });
    return resource;
  }

  scope(s: InstrumentationScope): number {
    const byObj = this.scopeByObject.get(s);
    if (byObj !== undefined) return byObj;
    this.scratch.reset();
    writeScope(this.scratch, s);
    const encoded = this.scratch.copy();
    const k = encoded.toString('latin1');
    let v = this.scopeByEncoding.get(k);
    if (v === undefined) {
      const row = this.st.scopeId.get(encoded) as { id: number } | undefined;
      if (row) v = id(row.id);
      else {
        const newId = id(this.insert(this.st.insertScope).run(encoded, s.name, s.version ?? null).lastInsertRowid);
        v = newId;
        this.undo.push(() => {
          this.scopeByEncoding.delete(k);
          this.scopeByObject.delete(s);
          this.scopes.delete(newId);
        });
      }
      put(this.scopeByEncoding, k, v);
    }
    this.scopeByObject.set(s, v);
    return v;
  }

  scopeById(scopeId: number): InstrumentationScope {
    const hit = this.scopes.get(scopeId);
    if (hit) return hit;
    const row = this.st.scopeById.get(scopeId) as { encoded: Buffer } | undefined;
    if (!row) throw new RangeError(`scope ${scopeId} missing`);
    const scope = readScope(new ByteReader(row.encoded));
    put(this.scopes, scopeId, scope);
    return scope;
  }

  descriptor(d: MetricDescriptorFields): number {
    this.scratch.reset();
    writeDescriptor(this.scratch, d);
    const k = this.scratch.view().toString('latin1');
    const hit = this.descriptorIds.get(k);
    if (hit !== undefined) return hit;
    const encoded = this.scratch.copy();
    const row = this.st.descriptorId.get(encoded) as { id: number } | undefined;
    let v: number;
    if (row) v = id(row.id);
    else {
      v = id(
        this.insert(this.st.insertDescriptor).run(
          encoded, d.name, d.description ?? null, d.unit ?? null, d.type, d.temporality ?? null,
          d.monotonic === undefined ? null : d.monotonic ? 1 : 0,
        ).lastInsertRowid,
      );
      const created = v;
      this.undo.push(() => {
        this.descriptorIds.delete(k);
        this.descriptors.delete(created);
      });
    }
    put(this.descriptorIds, k, v);
    return v;
  }

  descriptorById(descriptorId: number): MetricDescriptorFields {
    const hit = this.descriptors.get(descriptorId);
    if (hit) return hit;
    const row = this.st.descriptorById.get(descriptorId) as { encoded: Buffer } | undefined;
    if (!row) throw new RangeError(`metric descriptor ${descriptorId} missing`);
    const d = readDescriptor(new ByteReader(row.encoded));
    put(this.descriptors, descriptorId, d);
    return d;
  }
}

