// Scans a write in its context: the bytes already in the file on both sides of the written range take part, so a
// canary completed by one-byte, out-of-order or overlapping writes is still found.
import type { Hit, Matcher } from '../../core/matcher/types.js';

/** How many bytes on each side of a write can be part of a match that involves the write. */
export function contextBytes(matcher: Matcher): number {
  return Math.max(0, matcher.maxPatternLength - 1);
}

/**
 * Hits in before|data|after that overlap the data (hits lying wholly in existing bytes are old news: they were
 * judged when they were written). Offsets in the returned hits are relative to the start of `data`.
 */
export function hitsInWrite(matcher: Matcher, before: Uint8Array, data: Uint8Array, after: Uint8Array): Hit[] {
  if (matcher.targetCount === 0 || data.length === 0) return [];
  const stream = matcher.stream();
  const dataStart = before.length;
  const dataEnd = dataStart + data.length;
  const out: Hit[] = [];
  const keep = (hits: Hit[]) => {
    for (const h of hits) {
      if (h.end > dataStart && h.start < dataEnd) out.push({ ...h, start: h.start - dataStart, end: h.end - dataStart });
    }
  };
  if (before.length > 0) stream.write(before); // hits ending here lie wholly in old bytes
  keep(stream.write(data));
  if (after.length > 0) keep(stream.write(after));
  return out;
}

/** Whole-content scan, chunk by chunk (rename/link of a file out of the zone). */
export function scanChunks(matcher: Matcher, chunks: Iterable<Uint8Array>): Hit[] {
  if (matcher.targetCount === 0) return [];
  const stream = matcher.stream();
  const out: Hit[] = [];
  for (const c of chunks) out.push(...stream.write(c));
  return out;
}
