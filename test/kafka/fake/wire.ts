// Kafka wire primitives for the fake broker, written from the protocol spec rather than borrowed
// from kafkajs: the fake must not share a codec bug with the client it is testing.
// Classic encodings for kafkajs 2.2.4 (which never uses tagged fields), and the flexible ones of
// KIP-482 (unsigned varints, compact strings/arrays, tagged fields) for the flexible versions the fake
// serves (Metadata v9+, ApiVersions v3), as other clients and Kafka itself use them.

export class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  int8(): number { const v = this.buf.readInt8(this.offset); this.offset += 1; return v; }
  int16(): number { const v = this.buf.readInt16BE(this.offset); this.offset += 2; return v; }
  int32(): number { const v = this.buf.readInt32BE(this.offset); this.offset += 4; return v; }
  int64(): bigint { const v = this.buf.readBigInt64BE(this.offset); this.offset += 8; return v; }
  boolean(): boolean { return this.int8() !== 0; }

  /** NULLABLE_STRING (and STRING): INT16 length, -1 = null. */
  string(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    const v = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  /** BYTES: INT32 length, -1 = null. */
  bytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    const v = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  /** ARRAY: INT32 count, -1 = null (kept distinct from empty: Metadata v1 uses it for "all topics"). */
  array<T>(item: (r: Reader) => T): T[] | null {
    const n = this.int32();
    if (n < 0) return null;
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(this));
    return out;
  }

  /** UNSIGNED_VARINT: 7 bits a byte, low bits first (at most 5 bytes for 32 bits). */
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const b = this.buf.readUInt8(this.offset++);
      value += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return value;
    }
    throw new Error('unsigned varint longer than 5 bytes');
  }

  /** COMPACT_(NULLABLE_)STRING: length + 1 as an unsigned varint, 0 = null. */
  compactString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    if (this.offset + n - 1 > this.buf.length) throw new RangeError('compact string past the end of the frame');
    const v = this.buf.toString('utf8', this.offset, this.offset + n - 1);
    this.offset += n - 1;
    return v;
  }

  /** COMPACT_ARRAY: count + 1 as an unsigned varint, 0 = null. */
  compactArray<T>(item: (r: Reader) => T): T[] | null {
    const n = this.uvarint();
    if (n === 0) return null;
    const out: T[] = [];
    for (let i = 0; i < n - 1; i++) out.push(item(this));
    return out;
  }

  /** UUID: 16 bytes. */
  uuid(): Buffer {
    if (this.offset + 16 > this.buf.length) throw new RangeError('uuid past the end of the frame');
    const v = this.buf.subarray(this.offset, this.offset + 16);
    this.offset += 16;
    return v;
  }

  /** A tagged-field section: count, then tag, size and bytes each. None of the fields read here has tags the fake uses: skipped. */
  taggedFields(): void {
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      this.uvarint(); // tag
      const size = this.uvarint();
      if (this.offset + size > this.buf.length) throw new RangeError('tagged field past the end of the frame');
      this.offset += size;
    }
  }

  get remaining(): number { return this.buf.length - this.offset; }
}

export class Writer {
  private readonly parts: Buffer[] = [];

  private push(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.parts.push(b);
    return this;
  }

  int8(v: number): this { return this.push(1, (b) => b.writeInt8(v)); }
  int16(v: number): this { return this.push(2, (b) => b.writeInt16BE(v)); }
  int32(v: number): this { return this.push(4, (b) => b.writeInt32BE(v)); }
  int64(v: bigint): this { return this.push(8, (b) => b.writeBigInt64BE(v)); }
  boolean(v: boolean): this { return this.int8(v ? 1 : 0); }

  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const s = Buffer.from(v, 'utf8');
    this.int16(s.length);
    this.parts.push(s);
    return this;
  }

  bytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    this.parts.push(Buffer.from(v));
    return this;
  }

  array<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  uvarint(v: number): this {
    const out: number[] = [];
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    this.parts.push(Buffer.from(out));
    return this;
  }

  compactString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const s = Buffer.from(v, 'utf8');
    this.uvarint(s.length + 1);
    this.parts.push(s);
    return this;
  }

  compactArray<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    if (items === null) return this.uvarint(0);
    this.uvarint(items.length + 1);
    for (const v of items) item(this, v);
    return this;
  }

  uuid(v: Buffer): this {
    if (v.length !== 16) throw new Error('a uuid is 16 bytes');
    this.parts.push(Buffer.from(v));
    return this;
  }

  /** An empty tagged-field section (the fake sends no tagged fields). */
  taggedFields(): this { return this.uvarint(0); }

  toBuffer(): Buffer { return Buffer.concat(this.parts); }
}

/**
 * Request header v1; a flexible request (header v2) adds a tagged-field section after client_id,
 * which the caller skips once it knows the API and version (client_id stays a classic NULLABLE_STRING).
 */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export function readRequestHeader(r: Reader): RequestHeader {
  return { apiKey: r.int16(), apiVersion: r.int16(), correlationId: r.int32(), clientId: r.string() };
}

/**
 * Response = INT32 size | INT32 correlation id | body (header v0); header v1, for flexible responses,
 * puts an (empty) tagged-field section between the correlation id and the body.
 */
export function frameResponse(correlationId: number, body: Buffer, headerVersion: 0 | 1 = 0): Buffer {
  const headLength = headerVersion === 1 ? 9 : 8;
  const head = Buffer.alloc(headLength);
  head.writeInt32BE(body.length + headLength - 4, 0);
  head.writeInt32BE(correlationId, 4);
  return Buffer.concat([head, body]); // header v1's extra byte is 0: no tagged fields
}

/** Splits a byte stream into size-prefixed frames (sizes are INT32, excluding themselves). */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  /** Largest request accepted, like socket.request.max.bytes (100 MiB by default). */
  constructor(private readonly maxFrame = 100 * 1024 * 1024) {}

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Buffer[] = [];
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0);
      if (size < 0 || size > this.maxFrame) throw new Error(`invalid frame size ${size}`);
      if (this.pending.length < 4 + size) break;
      frames.push(this.pending.subarray(4, 4 + size));
      this.pending = this.pending.subarray(4 + size);
    }
    return frames;
  }
}
