// A growable byte writer and a cursor reader for the store's compact binary encodings.
// Unsigned varints are LEB128; signed integers are zigzag-mapped first. Numbers up to 2^53
// use arithmetic (not 32-bit bitwise ops) so every safe integer encodes exactly; bigints
// have their own path.


export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialSize = 4096) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  reset(): void {
    this.pos = 0;
  }

  /** A view of what was written (valid until the next write or reset). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of what was written. */
  copy(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Unsigned integer 0 … 2^53-1. */
  uvarint(v: number): void {
    if (v < 0x80 && this.pos < this.buf.length) {
      this.buf[this.pos++] = v;
      return;
    }
    this.ensure(8);
    const b = this.buf;
    while (v >= 0x80) {
      b[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[this.pos++] = v;
  }

  /** Signed safe integer, zigzag. */
  svarint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** Signed bigint of any size, zigzag. */
  bigvarint(v: bigint): void {
    let z = v >= 0n ? v << 1n : (-v << 1n) - 1n;
    this.ensure(1);
    while (z >= 0x80n) {
      this.u8(Number(z & 0x7fn) | 0x80);
      z >>= 7n;
    }
    this.u8(Number(z));
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  bytes(src: Uint8Array): void {
    this.uvarint(src.length);
    this.raw(src);
  }

  raw(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** Lowercase hex id of known byte length, written raw. */
  hex(id: string, byteLength: number): void {
    this.ensure(byteLength);
    const n = this.buf.write(id, this.pos, byteLength, 'hex');
    if (n !== byteLength || id.length !== byteLength * 2) throw new TypeError(`malformed id ${JSON.stringify(id)}`);
    this.pos += n;
  }

  string(s: string): void {
    const len = s.length;
    // Short ASCII strings (most attribute values) are copied in JS: cheaper than a native
    // call per string. Anything else goes through Buffer's UTF-8 encoder.
    if (len < 0x80) {
      this.ensure(1 + len);
      const b = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      if (i === len) {
        b[this.pos] = len;
        this.pos = start + len;
        return;
      }
    }
    // Worst case 3 bytes per UTF-16 unit; a one-byte length fits when that stays < 128.
    if (len < 0x2a) {
      this.ensure(1 + s.length * 3);
      const start = this.pos + 1;
      const n = this.buf.write(s, start, 'utf8');
      this.buf[this.pos] = n;
      this.pos = start + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n);
    this.ensure(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
  }
}

export class ByteReader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw new RangeError('truncated encoding');
    return this.buf[this.pos++];
  }

  uvarint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 0x80;
    }
  }

  svarint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  bigvarint(): bigint {
    let z = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      z |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
    }
    return z & 1n ? -((z + 1n) >> 1n) : z >> 1n;
  }

  f64(): number {
    const v = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, 8).readDoubleLE(0);
    this.pos += 8;
    return v;
  }

  raw(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new RangeError('truncated encoding');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  bytes(): Uint8Array {
    return this.raw(this.uvarint());
  }

  hex(n: number): string {
    return Buffer.from(this.raw(n)).toString('hex');
  }

  string(): string {
    const n = this.uvarint();
    const b = this.raw(n);
    return Buffer.from(b.buffer, b.byteOffset, b.length).toString('utf8');
  }
}

