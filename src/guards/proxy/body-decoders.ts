// Content-Encoding decoding for request bodies (gzip, deflate, br, chained), one raw chunk in, its decoded bytes out.
//
// Each push resolves with exactly the output its input produced, so the caller can map "decoded bytes are safe"
// back to "this raw chunk may be forwarded". zlib streams are asynchronous: after a write's callback all its output
// has been pushed, and draining read() hands over anything still buffered.
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';

export class UnsupportedEncodingError extends Error {
  constructor(readonly encoding: string) {
    super(`cannot decode Content-Encoding ${encoding}`);
  }
}

/** Parse a Content-Encoding header into the decode order (last applied first); identity entries dropped. */
export function decodeOrder(header: string | undefined): string[] {
  if (!header) return [];
  const list = header
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && s !== 'identity');
  for (const e of list) if (!['gzip', 'x-gzip', 'deflate', 'br'].includes(e)) throw new UnsupportedEncodingError(e);
  return list.reverse();
}

class Stage {
  private out: Buffer[] = [];
  private failed: Error | null = null;
  private z: Transform | null = null;
  private sniff: Buffer | null;

  constructor(private readonly encoding: string) {
    // deflate in the wild is either zlib-wrapped (the RFC) or raw: decide on the first two bytes.
    this.sniff = encoding === 'deflate' ? Buffer.alloc(0) : null;
    if (encoding !== 'deflate') this.open(encoding);
  }

  private open(kind: string): void {
    const z =
      kind === 'br' ? createBrotliDecompress() : kind === 'deflate-raw' ? createInflateRaw() : kind === 'deflate' ? createInflate() : createGunzip();
    z.on('data', (b: Buffer) => this.out.push(b));
    z.on('error', (e: Error) => (this.failed ??= e));
    this.z = z;
  }

  async push(chunk: Buffer): Promise<Buffer> {
    if (this.sniff !== null) {
      this.sniff = Buffer.concat([this.sniff, chunk]);
      if (this.sniff.length < 2) return Buffer.alloc(0);
      const b = this.sniff;
      this.sniff = null;
      const zlibWrapped = (b[0] & 0x0f) === 8 && ((b[0] << 8) | b[1]) % 31 === 0;
      this.open(zlibWrapped ? 'deflate' : 'deflate-raw');
      chunk = b;
    }
    return this.run((cb) => this.z!.write(chunk, cb));
  }

  async end(): Promise<Buffer> {
    if (this.sniff !== null) {
      // Fewer than two bytes in total: not a deflate stream.
      if (this.sniff.length > 0) throw new Error(`truncated ${this.encoding} body`);
      return Buffer.alloc(0);
    }
    const z = this.z!;
    return this.run((cb) => {
      z.once('end', () => cb());
      z.end();
    });
  }

  private async run(start: (cb: (e?: Error | null) => void) => void): Promise<Buffer> {
    await new Promise<void>((resolve, reject) => {
      const z = this.z!;
      const onError = (e: Error): void => reject(e);
      z.once('error', onError);
      start((e) => {
        z.off('error', onError);
        if (e) reject(e);
        else resolve();
      });
    });
    const z = this.z!;
    while (z.readableLength > 0) z.read();
    if (this.failed) throw this.failed;
    const out = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out);
    this.out = [];
    return out;
  }

  destroy(): void {
    this.z?.destroy();
  }
}

/** The decoders for one body, applied in order. An empty chain passes bytes through. */
export class DecodeChain {
  private readonly stages: Stage[];

  constructor(order: string[]) {
    this.stages = order.map((e) => new Stage(e === 'x-gzip' ? 'gzip' : e));
  }

  get identity(): boolean {
    return this.stages.length === 0;
  }

  async push(raw: Buffer): Promise<Buffer> {
    let b = raw;
    for (const s of this.stages) b = await s.push(b);
    return b;
  }

  async end(): Promise<Buffer> {
    let carry: Buffer = Buffer.alloc(0);
    for (const s of this.stages) {
      const a = carry.length > 0 ? await s.push(carry) : Buffer.alloc(0);
      const b = await s.end();
      carry = Buffer.concat([a, b]);
    }
    return carry;
  }

  destroy(): void {
    for (const s of this.stages) s.destroy();
  }
}
