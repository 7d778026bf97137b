// Kafka wire primitives for the fake broker, written from the protocol spec rather than borrowed
// from kafkajs: the fake must not share a codec bug with the client it is testing.
// Only the classic (non-flexible) encodings are needed: kafkajs 2.2.4 never uses tagged fields.

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

  toBuffer(): Buffer { return Buffer.concat(this.parts); }
}

/** Request header v1 (the only one non-flexible requests use). */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export function readRequestHeader(r: Reader): RequestHeader {
  return { apiKey: r.int16(), apiVersion: r.int16(), correlationId: r.int32(), clientId: r.string() };
}

/** Response = INT32 size | INT32 correlation id (header v0) | body. */
export function frameResponse(correlationId: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeInt32BE(body.length + 4, 0);
  head.writeInt32BE(correlationId, 4);
  return Buffer.concat([head, body]);
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
