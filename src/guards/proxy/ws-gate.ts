// Hold-back for the client side of a WebSocket: frames are parsed, payloads unmasked and scanned as one stream.
//
// Raw frame bytes leave once the payload bytes they carry are past the payload stream's safe offset (frame headers
// carry no content). Compressed frames (RSV1, permessage-deflate) cannot be scanned: the proxy strips the extension
// offer from the handshake, so a compressed frame is a protocol violation and is refused.
import type { Hit, Matcher } from '../../core/matcher/types.js';
import type { PartialPrefixes } from './partial-prefixes.js';
import { StreamGate } from './stream-gate.js';
import { HeldBytes } from './held-bytes.js';

export class WsProtocolError extends Error {}

interface Segment {
  rawStart: number;
  payStart: number;
  len: number;
}

export class WsGate {
  private readonly payload: StreamGate;
  private readonly held = new HeldBytes();
  private rawOff = 0;
  private payOff = 0;
  private payReleased = 0;
  private segments: Segment[] = [];
  /** Header bytes of the frame being parsed. */
  private hdr: number[] = [];
  private remaining = 0;
  private mask: number[] | null = null;
  private maskPos = 0;

  constructor(matcher: Matcher, prefixes: PartialPrefixes | null) {
    this.payload = new StreamGate(matcher, prefixes);
  }

  push(raw: Buffer): { hits: Hit[]; release: Buffer } {
    this.held.push(raw);
    const hits: Hit[] = [];
    let i = 0;
    while (i < raw.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, raw.length - i);
        const data = Buffer.from(raw.subarray(i, i + n));
        if (this.mask) for (let k = 0; k < n; k++) data[k] ^= this.mask[(this.maskPos + k) & 3];
        this.maskPos += n;
        this.segments.push({ rawStart: this.rawOff + i, payStart: this.payOff, len: n });
        this.payOff += n;
        hits.push(...this.payload.push(data));
        this.remaining -= n;
        i += n;
        continue;
      }
      this.hdr.push(raw[i++]);
      this.parseHeader();
    }
    this.rawOff += raw.length;
    if (hits.length > 0) return { hits, release: Buffer.alloc(0) };
    this.payReleased += this.payload.release().length;
    return { hits, release: this.take() };
  }

  releaseIdle(): Buffer {
    this.payReleased += this.payload.releaseIdle().length;
    return this.take();
  }

  /** The client closed its side: no payload can be completed any more, everything held may go. */
  finish(): Buffer {
    this.payload.end();
    this.payReleased += this.payload.release().length;
    this.segments = [];
    this.hdr = [];
    return this.take();
  }

  private parseHeader(): void {
    const h = this.hdr;
    if (h.length < 2) return;
    if (h[0] & 0x70) throw new WsProtocolError('compressed or extended WebSocket frame (RSV bits set)');
    const masked = (h[1] & 0x80) !== 0;
    const len7 = h[1] & 0x7f;
    const extLen = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const need = 2 + extLen + (masked ? 4 : 0);
    if (h.length < need) return;
    let len = len7;
    if (extLen === 2) len = (h[2] << 8) | h[3];
    else if (extLen === 8) {
      len = 0;
      for (let k = 2; k < 10; k++) len = len * 256 + h[k];
      if (len > Number.MAX_SAFE_INTEGER) throw new WsProtocolError('WebSocket frame too long');
    }
    this.mask = masked ? h.slice(2 + extLen, 6 + extLen) : null;
    this.maskPos = 0;
    this.remaining = len;
    this.hdr = [];
  }

  /** Raw bytes up to the point where every payload byte they carry has been released by the payload gate. */
  private take(): Buffer {
    const P = this.payReleased;
    let upto = this.rawOff;
    while (this.segments.length > 0) {
      const s = this.segments[0];
      if (P >= s.payStart + s.len) {
        this.segments.shift();
        continue;
      }
      upto = s.rawStart + Math.max(0, P - s.payStart);
      break;
    }
    // A frame header still being parsed is not released: its length is not known yet.
    if (this.segments.length === 0 && this.hdr.length > 0) upto = this.rawOff - this.hdr.length;
    return this.held.takeUpTo(upto);
  }
}
