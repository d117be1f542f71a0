// Q-gram index of every pattern's first `stride` 4-byte grams: a bit filter for the scan loop, then exact gram → offsets.
import type { PatternSet } from './pattern-set.js';

/** Gram length in bytes: one little-endian 32-bit word. */
export const Q = 4;
/** Bytes of a pattern's start keyed in the prefix table: every pattern has at least this many. */
export const PREFIX = 16;
const PREFIX_SLOT = 6;
/** Offsets into a pattern are kept as a bit mask in one int32. */
const MAX_STRIDE = 32;

export const FILTER_MUL = 0x9e3779b1 | 0;
export const FILTER_MUL2 = 0xc2b2ae35 | 0;
const TABLE_MUL = 0x85ebca6b | 0;

export interface Prefilter {
  /** Anchors are the absolute positions that are multiples of stride. */
  readonly stride: number;
  /** Bloom filter (two bits per gram: FILTER_MUL and FILTER_MUL2 hashes, >>> filterShift). */
  readonly filter: Int32Array;
  readonly filterShift: number;
  /**
   * Open-addressed table of (gram, mask) pairs side by side (one cache line per probe): mask has bit j set when some
   * pattern has that gram at offset j < stride; mask 0 marks an empty slot.
   */
  readonly grams: Int32Array;
  readonly gramShift: number;
  readonly gramSlots: number;
  /**
   * Open-addressed table of (first PREFIX bytes as 4 words, lo, hi): patterns [lo, hi) of the sorted set start with
   * those bytes; hi = 0 marks an empty slot. A verification starts with one probe here instead of a byte-wise search.
   */
  readonly prefixes: Int32Array;
  readonly prefixShift: number;
  readonly prefixSlots: number;
}

function openTable(entries: number, width: number): { table: Int32Array; shift: number; slots: number } {
  const bits = Math.max(4, log2ceil(entries * 2 + 1));
  return { table: new Int32Array((1 << bits) * width), shift: 32 - bits, slots: (1 << bits) - 1 };
}

function log2ceil(n: number): number {
  let b = 0;
  while (1 << b < n) b++;
  return b;
}

/**
 * Any occurrence of a pattern of length m ≥ stride + Q - 1 starting at t fully contains the gram at its anchor
 * p = ⌈t / stride⌉·stride, and p - t < stride; so indexing the grams at offsets 0 .. stride-1 of each pattern is enough.
 */
export function chooseStride(minLength: number, maxStride = 16): number {
  const s = Math.max(1, Math.min(minLength - Q + 1, maxStride, MAX_STRIDE));
  // A multiple of 4 keeps anchors word-aligned, so the scan loop reads each gram as one 32-bit load.
  return s >= 4 ? s & ~3 : s;
}

export function buildPrefilter(set: PatternSet, stride: number): Prefilter {
  const { flat, off, count } = set;
  // Sized for the worst case (every gram distinct) so grams go straight in, merging offset masks of repeats.
  let gt = openTable(count * stride, 2);
  let table = gt.table;
  let distinct = 0;
  for (let k = 0; k < count; k++) {
    for (let j = 0; j < stride; j++) {
      const i = off[k] + j;
      const g = flat[i] | (flat[i + 1] << 8) | (flat[i + 2] << 16) | (flat[i + 3] << 24);
      let slot = Math.imul(g, TABLE_MUL) >>> gt.shift;
      while (table[2 * slot + 1] !== 0 && table[2 * slot] !== g) slot = (slot + 1) & gt.slots;
      if (table[2 * slot + 1] === 0) {
        table[2 * slot] = g;
        distinct++;
      }
      table[2 * slot + 1] |= 1 << j;
    }
  }
  // Repeats are common (escaped forms share grams): move to a table sized for the distinct grams.
  const small = openTable(distinct, 2);
  if (small.slots < gt.slots) {
    for (let slot = 0; slot <= gt.slots; slot++) {
      if (table[2 * slot + 1] === 0) continue;
      const g = table[2 * slot];
      let to = Math.imul(g, TABLE_MUL) >>> small.shift;
      while (small.table[2 * to + 1] !== 0) to = (to + 1) & small.slots;
      small.table[2 * to] = g;
      small.table[2 * to + 1] = table[2 * slot + 1];
    }
    gt = small;
    table = small.table;
  }
  // ~32 bits per gram, two bits each: ~6% of bits set, ~0.4% false hits; capped at 1 MiB so it stays in L2.
  const filterBits = Math.min(23, Math.max(13, log2ceil(distinct * 32)));
  const filter = new Int32Array((1 << filterBits) >>> 5);
  const filterShift = 32 - filterBits;
  for (let slot = 0; slot <= gt.slots; slot++) {
    if (table[2 * slot + 1] === 0) continue;
    const g = table[2 * slot];
    const h = Math.imul(g, FILTER_MUL) >>> filterShift;
    filter[h >>> 5] |= 1 << (h & 31);
    const h2 = Math.imul(g, FILTER_MUL2) >>> filterShift;
    filter[h2 >>> 5] |= 1 << (h2 & 31);
  }

  // Sorted patterns sharing their first PREFIX bytes are contiguous: one (lo, hi) per distinct prefix.
  const word = (i: number): number => flat[i] | (flat[i + 1] << 8) | (flat[i + 2] << 16) | (flat[i + 3] << 24);
  const groups: number[][] = [];
  for (let k = 0; k < count; k++) {
    const i = off[k];
    const key = [word(i), word(i + 4), word(i + 8), word(i + 12)];
    const lastGroup = groups[groups.length - 1];
    if (lastGroup && key.every((v, x) => lastGroup[x] === v)) lastGroup[5] = k + 1;
    else groups.push([...key, k, k + 1]);
  }
  const pt = openTable(groups.length, PREFIX_SLOT);
  for (const group of groups) {
    let slot = prefixHash(group[0], group[1], group[2], group[3]) >>> pt.shift;
    while (pt.table[PREFIX_SLOT * slot + 5] !== 0) slot = (slot + 1) & pt.slots;
    pt.table.set(group, PREFIX_SLOT * slot);
  }
  return {
    stride, filter, filterShift,
    grams: gt.table, gramShift: gt.shift, gramSlots: gt.slots,
    prefixes: pt.table, prefixShift: pt.shift, prefixSlots: pt.slots,
  };
}

/** Offsets mask for an exact gram, 0 if no pattern has it among its first `stride` grams. */
export function gramMask(pf: Prefilter, g: number): number {
  const { grams, gramSlots } = pf;
  let slot = Math.imul(g, TABLE_MUL) >>> pf.gramShift;
  for (;;) {
    const m = grams[2 * slot + 1];
    if (m === 0 || grams[2 * slot] === g) return m;
    slot = (slot + 1) & gramSlots;
  }
}

function prefixHash(a: number, b: number, c: number, d: number): number {
  return Math.imul(Math.imul(Math.imul(a, TABLE_MUL) ^ b, FILTER_MUL) ^ c, TABLE_MUL) ^ Math.imul(d, FILTER_MUL2);
}

/**
 * Index into pf.prefixes of the entry for the PREFIX bytes at buf[i], or -1 when no pattern starts with them
 * (lo at +4, hi at +5). The caller guarantees i + PREFIX <= buf.length.
 */
export function prefixEntry(pf: Prefilter, buf: Uint8Array, i: number): number {
  const a = buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
  const b = buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24);
  const c = buf[i + 8] | (buf[i + 9] << 8) | (buf[i + 10] << 16) | (buf[i + 11] << 24);
  const d = buf[i + 12] | (buf[i + 13] << 8) | (buf[i + 14] << 16) | (buf[i + 15] << 24);
  const { prefixes, prefixSlots } = pf;
  let slot = prefixHash(a, b, c, d) >>> pf.prefixShift;
  for (;;) {
    const at = PREFIX_SLOT * slot;
    if (prefixes[at + 5] === 0) return -1;
    if (prefixes[at] === a && prefixes[at + 1] === b && prefixes[at + 2] === c && prefixes[at + 3] === d) return at;
    slot = (slot + 1) & prefixSlots;
  }
}
