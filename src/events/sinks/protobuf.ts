// The few protobuf wire-format pieces OTLP needs (varint, fixed64, length-delimited), written by hand: a message is
// built as a list of encoded fields, nested messages are encoded first and embedded as bytes.
const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Len = 2,
  Fixed32 = 5,
}

function varint(n: bigint): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

function tag(field: number, wire: Wire): Buffer {
  return varint(BigInt((field << 3) | wire));
}

/** A protobuf message under construction; fields are written in call order. */
export class PbMessage {
  private readonly parts: Buffer[] = [];

  string(field: number, s: string | undefined): this {
    if (s === undefined || s === '') return this; // proto3: default values are not written
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }

  bytes(field: number, b: Buffer): this {
    this.parts.push(tag(field, Wire.Len), varint(BigInt(b.length)), b);
    return this;
  }

  message(field: number, m: PbMessage): this {
    return this.bytes(field, m.finish());
  }

  /** int32/int64/uint32/enum/bool as varint (negative int64 as its two's complement, ten bytes). */
  varint(field: number, n: number | bigint | boolean): this {
    const v = typeof n === 'boolean' ? (n ? 1n : 0n) : BigInt(n);
    if (v === 0n) return this;
    this.parts.push(tag(field, Wire.Varint), varint(v));
    return this;
  }

  fixed64(field: number, n: bigint): this {
    if (n === 0n) return this;
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, n));
    this.parts.push(tag(field, Wire.Fixed64), b);
    return this;
  }

  double(field: number, x: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(x);
    this.parts.push(tag(field, Wire.Fixed64), b);
    return this;
  }

  fixed32(field: number, n: number): this {
    if (n === 0) return this;
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0);
    this.parts.push(tag(field, Wire.Fixed32), b);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}
