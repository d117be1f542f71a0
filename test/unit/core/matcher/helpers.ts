// Shared test helpers for the matcher: a seeded PRNG, a naive oracle (indexOf of every pattern) and chunked runs.
import type { Hit, MatchTarget, Matcher } from '../../../../src/core/matcher/types.js';
import { targetPatterns } from '../../../../src/core/matcher/pattern-set.js';

/** mulberry32: deterministic, so a failing seed can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function randString(r: () => number, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

export const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A target whose only patterns are the given strings (as cores, matched as they are). */
export function rawTarget(id: string, patterns: string[]): MatchTarget {
  return { canaryId: id, label: `label-${id}`, fingerprint: `fp-${id}`, secrets: [], cores: patterns };
}

export function secretTarget(id: string, secret: string, cores: string[] = []): MatchTarget {
  return { canaryId: id, label: `label-${id}`, fingerprint: `fp-${id}`, secrets: [secret], cores };
}

/** Every occurrence (overlapping too) of every pattern of every target, by Buffer.indexOf. */
export function naiveHits(targets: readonly MatchTarget[], input: Buffer): Hit[] {
  const hits: Hit[] = [];
  for (const t of targets) {
    for (const { variant, bytes } of targetPatterns(t)) {
      for (let i = input.indexOf(bytes); i !== -1; i = input.indexOf(bytes, i + 1)) {
        hits.push({ canaryId: t.canaryId, label: t.label, fingerprint: t.fingerprint, variant, start: i, end: i + bytes.length });
      }
    }
  }
  return hits;
}

/** Order-insensitive form of a hit list, for comparing with the oracle. */
export function canon(hits: readonly Hit[]): string[] {
  return hits.map((h) => `${h.end}:${h.start}:${h.canaryId}:${h.variant}:${h.label}:${h.fingerprint}`).sort();
}

/**
 * Feed input cut at the given offsets (ascending, inside the buffer) and return all hits. Checks on the way what a
 * streaming guard relies on: hits come in the write holding their last byte, in order of end, and never start before
 * the safeOffset announced earlier; safeOffset never goes back and never trails by maxPatternLength or more.
 */
export function runCuts(m: Matcher, input: Buffer, cuts: readonly number[]): Hit[] {
  const s = m.stream();
  const out: Hit[] = [];
  let prev = 0;
  let safe = s.safeOffset;
  if (safe !== 0) throw new Error(`fresh stream has safeOffset ${safe}`);
  for (const cut of [...cuts, input.length]) {
    const chunkStart = s.offset;
    const hits = s.write(input.subarray(prev, cut));
    for (let i = 0; i < hits.length; i++) {
      const h = hits[i];
      if (h.start < safe) throw new Error(`hit ${h.start}-${h.end} starts before safeOffset ${safe} announced earlier`);
      // Reported in the write that holds its last byte, in order of end.
      if (!(h.end > chunkStart && h.end <= cut)) throw new Error(`hit ${h.start}-${h.end} reported in chunk ${chunkStart}-${cut}`);
      if (i > 0 && hits[i - 1].end > h.end) throw new Error('hits not in order of end offset');
    }
    out.push(...hits);
    prev = cut;
    const next = s.safeOffset;
    if (next < safe) throw new Error(`safeOffset went back from ${safe} to ${next}`);
    if (next > s.offset || next < s.offset - Math.max(0, m.maxPatternLength - 1)) {
      throw new Error(`safeOffset ${next} out of [offset - (maxPatternLength - 1), offset] at offset ${s.offset}`);
    }
    safe = next;
  }
  if (s.offset !== input.length) throw new Error(`offset ${s.offset} after ${input.length} bytes`);
  return out;
}

export function oneByteCuts(n: number): number[] {
  return Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1);
}

export function randomCuts(r: () => number, n: number, maxChunk: number): number[] {
  const cuts: number[] = [];
  for (let at = randInt(r, 1, maxChunk); at < n; at += randInt(r, 1, maxChunk)) cuts.push(at);
  return cuts;
}
