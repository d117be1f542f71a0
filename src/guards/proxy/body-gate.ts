// The scan-then-forward gate for one request body: decodes it, scans every view of it, says which raw bytes may leave.
//
// Views scanned: the decoded body (after Content-Encoding); for multipart bodies the same bytes without CR/LF (a
// base64 part is wrapped every 76 characters); for git receive-pack requests every inflated pack object.
// Release rule: raw bytes leave only when every view has scanned past everything they decode to. With no encoding
// this is byte-exact (the matcher's safeOffset); with an encoding it is per raw chunk: a chunk leaves once all of its
// decoded output lies before the decoded view's safe offset — a decoder cannot yield more from a prefix than it
// yielded to us, so the upstream can never decode a byte we have not passed. At the end of the body all of it leaves.
// Bytes held at once are bounded (maxHold): beyond that the body cannot be scanned and is refused, never passed.
import type { Hit, MatchStream, Matcher } from '../../core/matcher/types.js';
import { DecodeChain, decodeOrder } from './body-decoders.js';
import { GitPackScanner } from './git-pack.js';
import { HeldBytes } from './held-bytes.js';

export class HoldLimitError extends Error {
  constructor(readonly limit: number) {
    super(`request body would need more than ${Math.round(limit / 1048576)} MiB held back to be scanned`);
  }
}

export interface BodyGateOptions {
  contentEncoding?: string;
  contentType?: string;
  maxHold?: number;
}

export interface GateStep {
  hits: Hit[];
  release: Buffer;
}

/** A view of the decoded body with its own matcher stream and a mapping back to decoded offsets. */
class NoNewlinesView {
  private readonly stream: MatchStream;
  private marks: { dEnd: number; vEnd: number }[] = [];
  private dSafe = 0;
  private dOff = 0;

  constructor(matcher: Matcher) {
    this.stream = matcher.stream();
  }

  write(chunk: Buffer): Hit[] {
    const parts: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === 10 || c === 13) {
        if (i > from) parts.push(chunk.subarray(from, i));
        from = i + 1;
      }
    }
    if (from < chunk.length) parts.push(chunk.subarray(from));
    const hits = this.stream.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    this.dOff += chunk.length;
    this.marks.push({ dEnd: this.dOff, vEnd: this.stream.offset });
    return hits;
  }

  safe(): number {
    const s = this.stream.safeOffset;
    while (this.marks.length > 0 && this.marks[0].vEnd <= s) this.dSafe = this.marks.shift()!.dEnd;
    return this.dSafe;
  }
}

export class BodyGate {
  private readonly chain: DecodeChain;
  private readonly scan: MatchStream;
  private readonly lines: NoNewlinesView | null;
  private readonly pack: GitPackScanner | null;
  private readonly maxHold: number;
  private readonly held = new HeldBytes();
  private rawOff = 0;
  private decodedOff = 0;
  /** For encoded bodies: raw end and decoded end of each raw chunk not yet released. */
  private marks: { rEnd: number; dEnd: number }[] = [];

  /** Throws UnsupportedEncodingError for an encoding it cannot decode. */
  constructor(matcher: Matcher, opts: BodyGateOptions = {}) {
    this.chain = new DecodeChain(decodeOrder(opts.contentEncoding));
    this.scan = matcher.stream();
    const type = (opts.contentType ?? '').toLowerCase();
    this.lines = type.startsWith('multipart/') ? new NoNewlinesView(matcher) : null;
    this.pack = type.startsWith('application/x-git-receive-pack-request') ? new GitPackScanner(matcher) : null;
    this.maxHold = opts.maxHold ?? 256 * 1048576;
  }

  get heldBytes(): number {
    return this.held.length;
  }

  /** No Content-Encoding: pushSync/endSync may be used (the hot path, no promise per chunk). */
  get synchronous(): boolean {
    return this.chain.identity;
  }

  pushSync(raw: Buffer): GateStep {
    if (!this.chain.identity) throw new Error('pushSync on an encoded body');
    return this.step(raw, raw);
  }

  endSync(): GateStep {
    const hits = this.pack ? this.pack.end() : [];
    return { hits, release: hits.length > 0 ? Buffer.alloc(0) : this.take(this.rawOff) };
  }

  async push(raw: Buffer): Promise<GateStep> {
    if (raw.length === 0) return { hits: [], release: Buffer.alloc(0) };
    return this.step(raw, await this.chain.push(raw));
  }

  private step(raw: Buffer, decoded: Buffer): GateStep {
    if (raw.length === 0) return { hits: [], release: Buffer.alloc(0) };
    this.held.push(raw);
    this.rawOff += raw.length;
    const hits = this.feed(decoded);
    if (!this.chain.identity) this.marks.push({ rEnd: this.rawOff, dEnd: this.decodedOff });
    const release = hits.length > 0 ? Buffer.alloc(0) : this.take(this.rawSafe());
    if (hits.length === 0 && this.held.length > this.maxHold) throw new HoldLimitError(this.maxHold);
    return { hits, release };
  }

  async end(): Promise<GateStep> {
    const decoded = await this.chain.end();
    const hits = this.feed(decoded);
    if (this.pack) hits.push(...this.pack.end());
    return { hits, release: hits.length > 0 ? Buffer.alloc(0) : this.take(this.rawOff) };
  }

  destroy(): void {
    this.chain.destroy();
  }

  private feed(decoded: Buffer): Hit[] {
    if (decoded.length === 0) return [];
    this.decodedOff += decoded.length;
    const hits = this.scan.write(decoded);
    if (this.lines) hits.push(...this.lines.write(decoded));
    if (this.pack) hits.push(...this.pack.write(decoded));
    return hits;
  }

  private decodedSafe(): number {
    let s = this.scan.safeOffset;
    if (this.lines) s = Math.min(s, this.lines.safe());
    if (this.pack) s = Math.min(s, this.pack.safe());
    return s;
  }

  private rawSafe(): number {
    const d = this.decodedSafe();
    if (this.chain.identity) return d;
    let r = this.held.released;
    while (this.marks.length > 0 && this.marks[0].dEnd <= d) r = this.marks.shift()!.rEnd;
    return r;
  }

  private take(upto: number): Buffer {
    return this.held.takeUpTo(upto);
  }
}
