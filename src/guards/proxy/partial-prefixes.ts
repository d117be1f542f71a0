// The first bytes of every pattern, so an idle interactive stream can tell a real partial canary from ordinary bytes.
//
// The matcher holds back up to stride + 3 bytes even when nothing resembles a canary; an interactive tunnel
// (WebSocket, raw CONNECT) whose peer waits for a reply would stall on them. When the client goes quiet, held bytes
// are released unless a window of PREFIX_LEN bytes at or after the matcher's safe offset starts some pattern:
// a drip-feeding client therefore learns at most PREFIX_LEN - 1 bytes of any pattern, never a whole one.
import type { Canary } from '../../core/canary.js';
import type { Matcher } from '../../core/matcher/types.js';
import { targetPatterns } from '../../core/matcher/pattern-set.js';
import { toTargets } from '../../core/targets.js';

export const PREFIX_LEN = 8;

export class PartialPrefixes {
  private readonly set = new Set<string>();

  constructor(patterns: Iterable<Uint8Array>) {
    for (const p of patterns) if (p.length >= PREFIX_LEN) this.set.add(Buffer.from(p.subarray(0, PREFIX_LEN)).toString('latin1'));
  }

  /**
   * Index in buf (≥ from) of the first complete PREFIX_LEN window that starts some pattern, or -1.
   * Windows that run past the end of buf are not judged: they cannot hold PREFIX_LEN bytes of a pattern yet.
   */
  firstPartial(buf: Uint8Array, from = 0): number {
    const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
    for (let i = Math.max(0, from); i + PREFIX_LEN <= b.length; i++) {
      if (this.set.has(b.toString('latin1', i, i + PREFIX_LEN))) return i;
    }
    return -1;
  }
}

const cache = new WeakMap<Matcher, PartialPrefixes>();

/** One index per compiled matcher (a store change compiles a new matcher, so the cache follows it). */
export function partialPrefixesFor(matcher: Matcher, canaries: readonly Canary[]): PartialPrefixes {
  let p = cache.get(matcher);
  if (!p) {
    const patterns: Uint8Array[] = [];
    for (const t of toTargets(canaries)) for (const v of targetPatterns(t)) patterns.push(v.bytes);
    p = new PartialPrefixes(patterns);
    cache.set(matcher, p);
  }
  return p;
}
