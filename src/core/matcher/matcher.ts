// The compiled matcher: strided q-gram prefilter over the stream, exact verification by walking the sorted pattern set.
// See ./DESIGN.md for why the anchors make it exact across chunk boundaries.
import type { Hit, MatchStream, MatchTarget, Matcher } from './types.js';
import { buildPatternSet, type PatternSet } from './pattern-set.js';
import {
  FILTER_MUL, FILTER_MUL2, PREFIX, Q, buildPrefilter, chooseStride, gramMask, prefixEntry, type Prefilter,
} from './prefilter.js';

/** A verification in progress: text[t, t + d) equals the first d bytes of every pattern in [lo, hi). */
interface Walk {
  t: number;
  d: number;
  lo: number;
  hi: number;
}

export interface CompileOptions {
  /** Upper bound on the anchor stride (tests use small strides to exercise more boundary cases). */
  maxStride?: number;
}

/**
 * The hot loop, kept tiny and monomorphic: the first anchor index ≥ i whose gram passes the bit filter, or a value
 * > last if none. Anchor indices step by s.
 */
function nextCandidate(c: Uint8Array, i: number, last: number, s: number, filter: Int32Array, shift: number): number {
  for (; i <= last; i += s) {
    const g = c[i] | (c[i + 1] << 8) | (c[i + 2] << 16) | (c[i + 3] << 24);
    const h = Math.imul(g, FILTER_MUL) >>> shift;
    if ((filter[h >>> 5] & (1 << (h & 31))) !== 0) {
      const h2 = Math.imul(g, FILTER_MUL2) >>> shift;
      if ((filter[h2 >>> 5] & (1 << (h2 & 31))) !== 0) return i;
    }
  }
  return i;
}

/** nextCandidate over aligned 32-bit words (little-endian hosts only, where word = gram): w[k], step sw words. */
function nextCandidateWord(w: Int32Array, k: number, sw: number, filter: Int32Array, shift: number): number {
  const n = w.length;
  for (; k < n; k += sw) {
    const g = w[k];
    const h = Math.imul(g, FILTER_MUL) >>> shift;
    if ((filter[h >>> 5] & (1 << (h & 31))) !== 0) {
      const h2 = Math.imul(g, FILTER_MUL2) >>> shift;
      if ((filter[h2 >>> 5] & (1 << (h2 & 31))) !== 0) return k;
    }
  }
  return k;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

class CompiledMatcher implements Matcher {
  readonly targetCount: number;
  readonly patternCount: number;
  readonly maxPatternLength: number;
  readonly set: PatternSet;
  readonly pf: Prefilter | null;

  constructor(
    readonly targets: readonly MatchTarget[],
    options: CompileOptions,
  ) {
    this.set = buildPatternSet(targets);
    this.targetCount = targets.length;
    this.patternCount = this.set.count;
    this.maxPatternLength = this.set.maxLength;
    this.pf = this.set.count === 0 ? null : buildPrefilter(this.set, chooseStride(this.set.minLength, options.maxStride));
  }

  scan(input: Uint8Array | string): Hit[] {
    return this.stream().write(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  }

  stream(): MatchStream {
    return new Stream(this);
  }
}

class Stream implements MatchStream {
  private abs = 0;
  /** Smallest anchor whose gram has not been examined yet (its gram is not complete in the bytes seen). */
  private nextAnchor = 0;
  /** The last bytes seen: a walk started by a new anchor can begin up to Q + stride - 2 bytes before the chunk. */
  private readonly hist: Uint8Array;
  private histLen = 0;
  private pending: Walk[] = [];
  private readonly set: PatternSet;
  private readonly pf: Prefilter | null;
  private readonly stride: number;

  constructor(private readonly m: CompiledMatcher) {
    this.set = m.set;
    this.pf = m.pf;
    this.stride = m.pf?.stride ?? 1;
    this.hist = new Uint8Array(Q + this.stride - 2);
  }

  get offset(): number {
    return this.abs;
  }

  get safeOffset(): number {
    if (this.pf === null) return this.abs;
    // A future hit either continues a pending walk or starts at most stride-1 bytes before an unexamined anchor.
    let safe = Math.max(0, this.nextAnchor - this.stride + 1);
    for (const w of this.pending) if (w.t < safe) safe = w.t;
    return Math.min(safe, this.abs);
  }

  write(chunk: Uint8Array): Hit[] {
    const len = chunk.length;
    const hits: Hit[] = [];
    if (len === 0) return hits;
    // One element kind for the hot loop whatever the caller passes (Buffer, Uint8Array subclass).
    const c = chunk.constructor === Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, len);
    const base = this.abs;
    const pf = this.pf;
    if (pf !== null) {
      if (this.pending.length > 0) {
        const still: Walk[] = [];
        for (const w of this.pending) if (this.advance(w, c, w.t + w.d - base, len, hits)) still.push(w);
        this.pending = still;
      }
      const end = base + len;
      const s = this.stride;
      let p = this.nextAnchor;
      // Anchors whose gram straddles the previous bytes and this chunk.
      for (; p < base && p + Q <= end; p += s) {
        const g = this.byteAt(p, c, base) | (this.byteAt(p + 1, c, base) << 8) |
          (this.byteAt(p + 2, c, base) << 16) | (this.byteAt(p + 3, c, base) << 24);
        this.anchor(g, p, c, base, hits);
      }
      if (p + Q <= end) {
        const last = len - Q;
        let i = p - base;
        // Anchors fall on 4-byte boundaries of the chunk's memory: read each gram as one aligned word.
        const words = LITTLE_ENDIAN && (s & 3) === 0 && ((c.byteOffset + i) & 3) === 0 && i <= last
          ? new Int32Array(c.buffer, c.byteOffset + i, ((last - i) >> 2) + 1)
          : null;
        const i0 = i;
        while (i <= last) {
          i = words !== null
            ? i0 + 4 * nextCandidateWord(words, (i - i0) >> 2, s >> 2, pf.filter, pf.filterShift)
            : nextCandidate(c, i, last, s, pf.filter, pf.filterShift);
          if (i > last) break;
          const g = c[i] | (c[i + 1] << 8) | (c[i + 2] << 16) | (c[i + 3] << 24);
          this.anchor(g, base + i, c, base, hits);
          i += s;
        }
        p = base + i;
      }
      this.nextAnchor = p;
      this.remember(c);
    }
    this.abs = base + len;
    if (hits.length > 1) hits.sort((a, b) => a.end - b.end || a.start - b.start);
    return hits;
  }

  private byteAt(pos: number, c: Uint8Array, base: number): number {
    return pos >= base ? c[pos - base] : this.hist[this.histLen - (base - pos)];
  }

  private remember(c: Uint8Array): void {
    const cap = this.hist.length;
    if (cap === 0) return;
    if (c.length >= cap) {
      this.hist.set(c.subarray(c.length - cap));
      this.histLen = cap;
      return;
    }
    const keep = Math.min(this.histLen, cap - c.length);
    this.hist.copyWithin(0, this.histLen - keep, this.histLen);
    this.hist.set(c, keep);
    this.histLen = keep + c.length;
  }

  /** The gram at anchor p passed the filter: start a walk at every p - j the gram table allows. */
  private anchor(g: number, p: number, c: Uint8Array, base: number, hits: Hit[]): void {
    const pf = this.pf!;
    let mask = gramMask(pf, g);
    while (mask !== 0) {
      const j = 31 - Math.clz32(mask & -mask);
      mask &= mask - 1;
      const t = p - j;
      if (t < 0) continue;
      const i = t - base;
      if (i >= 0 && i + PREFIX <= c.length) {
        // Usual case: the first PREFIX bytes at t are here; one probe finds the patterns starting with them, or none.
        const at = prefixEntry(pf, c, i);
        if (at < 0) continue;
        const w: Walk = { t, d: PREFIX, lo: pf.prefixes[at + 4], hi: pf.prefixes[at + 5] };
        // A pattern of exactly PREFIX bytes is complete already (it sorts first).
        if (this.set.len[w.lo] === PREFIX) {
          this.emit(w.lo, t, hits);
          if (++w.lo === w.hi) continue;
        }
        if (this.advance(w, c, i + PREFIX, c.length, hits)) this.pending.push(w);
        continue;
      }
      const w: Walk = { t, d: 0, lo: 0, hi: this.set.count };
      let alive = true;
      if (t < base) alive = this.advance(w, this.hist, this.histLen - (base - t), this.histLen, hits);
      if (alive && this.advance(w, c, t + w.d - base, c.length, hits)) this.pending.push(w);
    }
  }

  /**
   * Feed buf[i .. end) (the bytes at t + d ...) to a walk, reporting each pattern it completes.
   * Returns false once no pattern can match any more, true if it needs more bytes.
   */
  private advance(w: Walk, buf: Uint8Array, i: number, end: number, hits: Hit[]): boolean {
    const { flat, off, len } = this.set;
    let { d, lo, hi } = w;
    while (i < end) {
      if (d > 0) {
        // Sorted: every pattern in [lo, hi) has the bytes the first and the last share, so that run is compared
        // directly (1,000 ghp_ tokens share their escaped prefixes); only lo can end where the run ends.
        const first = off[lo];
        let shared = len[lo];
        if (hi - lo > 1) {
          const last = off[hi - 1];
          const cap = Math.min(shared, len[hi - 1]);
          shared = d;
          while (shared < cap && flat[first + shared] === flat[last + shared]) shared++;
        }
        if (shared > d) {
          const n = Math.min(shared - d, end - i);
          for (let x = 0; x < n; x++) if (flat[first + d + x] !== buf[i + x]) return false;
          d += n;
          i += n;
          if (d === len[lo]) {
            this.emit(lo, w.t, hits);
            if (++lo === hi) return false;
          }
          continue;
        }
      }
      // The patterns part ways at byte d: keep those whose byte d is the text's (sorted, so a binary search).
      const b = buf[i++];
      if (d === 0) {
        lo = this.set.firstLo[b];
        hi = this.set.firstHi[b];
      } else {
        let a = lo;
        let z = hi;
        while (a < z) {
          const mid = (a + z) >>> 1;
          if (flat[off[mid] + d] < b) a = mid + 1;
          else z = mid;
        }
        let e = a;
        z = hi;
        while (e < z) {
          const mid = (e + z) >>> 1;
          if (flat[off[mid] + d] <= b) e = mid + 1;
          else z = mid;
        }
        lo = a;
        hi = e;
      }
      if (lo >= hi) return false;
      d++;
      // The one pattern equal to the matched prefix sorts first in the range.
      if (len[lo] === d) {
        this.emit(lo, w.t, hits);
        if (++lo === hi) return false;
      }
    }
    w.d = d;
    w.lo = lo;
    w.hi = hi;
    return true;
  }

  private emit(k: number, t: number, hits: Hit[]): void {
    const { outStart, outTarget, outVariant, len } = this.set;
    for (let o = outStart[k]; o < outStart[k + 1]; o++) {
      const target = this.m.targets[outTarget[o]];
      hits.push({
        canaryId: target.canaryId,
        label: target.label,
        fingerprint: target.fingerprint,
        variant: outVariant[o],
        start: t,
        end: t + len[k],
      });
    }
  }
}

export function compileMatcher(targets: readonly MatchTarget[], options: CompileOptions = {}): Matcher {
  return new CompiledMatcher(targets, options);
}
