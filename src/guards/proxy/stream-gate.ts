// Hold-back for one byte stream that is forwarded as it is scanned: bytes leave only once no future hit can include them.
import type { Hit, MatchStream, Matcher } from '../../core/matcher/types.js';
import { HeldBytes } from './held-bytes.js';
import type { PartialPrefixes } from './partial-prefixes.js';

export class StreamGate {
  private readonly stream: MatchStream;
  /** Bytes scanned but not yet released; the first starts at absolute offset `held.released`. */
  private readonly held = new HeldBytes();
  /** The last released bytes (up to the longest pattern), for judging windows that began before `released`. */
  private recent: Buffer = Buffer.alloc(0);
  private readonly keep: number;
  private ended = false;

  constructor(
    matcher: Matcher,
    private readonly prefixes: PartialPrefixes | null = null,
  ) {
    this.stream = matcher.stream();
    this.keep = Math.max(0, matcher.maxPatternLength);
  }

  get heldBytes(): number {
    return this.held.length;
  }

  /** Scan the next bytes; they are held until release()/releaseIdle() lets them go. */
  push(chunk: Uint8Array): Hit[] {
    if (chunk.length === 0) return [];
    const hits = this.stream.write(chunk);
    this.held.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    return hits;
  }

  /** The stream is over: nothing can complete any more. */
  end(): void {
    this.ended = true;
  }

  /** Bytes that can no longer be part of a hit (all of them once ended). */
  release(): Buffer {
    return this.take(this.ended ? this.stream.offset : this.stream.safeOffset);
  }

  /**
   * The client went quiet: also release held bytes that do not begin a real partial pattern (see partial-prefixes.ts).
   * Without a prefix index this is release().
   */
  releaseIdle(): Buffer {
    if (!this.prefixes || this.ended) return this.release();
    const safe = this.stream.safeOffset;
    // Judge every window from the matcher's safe offset on, including bytes an earlier idle release let go,
    // so a client dripping a pattern out slowly is stopped before PREFIX_LEN bytes of it have left.
    // recent covers every start ≥ safe: safe ≥ offset - (maxPatternLength - 1) and released ≤ offset.
    const released = this.held.released;
    const from = Math.max(safe, released - this.recent.length);
    const heldAll = this.held.flat();
    const tail =
      from >= released
        ? heldAll.subarray(from - released)
        : Buffer.concat([this.recent.subarray(this.recent.length - (released - from)), heldAll]);
    const i = this.prefixes.firstPartial(tail);
    return this.take(i < 0 ? this.stream.offset : Math.max(safe, from + i));
  }

  private take(upto: number): Buffer {
    const out = this.held.takeUpTo(upto);
    if (out.length > 0 && this.prefixes) {
      const r = out.length >= this.keep ? out : Buffer.concat([this.recent, out]);
      this.recent = Buffer.from(r.subarray(Math.max(0, r.length - this.keep)));
    }
    return out;
  }
}
