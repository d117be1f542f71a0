// Bytes a gate has scanned but not yet forwarded, addressed by absolute stream offset: the one hold-back queue
// behind the body, WebSocket and raw-tunnel gates.

export class HeldBytes {
  private parts: Buffer[] = [];
  private len = 0;
  /** Absolute offset of the first held byte (= bytes released so far). */
  private start = 0;

  get length(): number {
    return this.len;
  }

  get released(): number {
    return this.start;
  }

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.parts.push(b);
    this.len += b.length;
  }

  /** Everything held, as one buffer (joined once, kept joined). */
  flat(): Buffer {
    const all = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.len);
    this.parts = all.length > 0 ? [all] : [];
    return all;
  }

  /** Release the held bytes before absolute offset `upto` (nothing if it is not past what was released). */
  takeUpTo(upto: number): Buffer {
    const n = upto - this.start;
    if (n <= 0) return Buffer.alloc(0);
    const all = this.flat();
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.parts = rest.length > 0 ? [rest] : [];
    this.len = rest.length;
    this.start = upto;
    return out;
  }
}
