// Q-gram index of every pattern's first `stride` 4-byte grams: a bit filter for the scan loop, then exact gram → offsets.
import type { PatternSet } from './pattern-set.js';

/** Gram length in bytes: one little-endian 32-bit word. */
export const Q = 4;
/** Offsets into a pattern are kept as a bit mask in one int32. */
const MAX_STRIDE = 32;

export const FILTER_MUL = 0x9e3779b1 | 0;
const TABLE_MUL = 0x85ebca6b | 0;

export interface Prefilter {
  /** Anchors are the absolute positions that are multiples of stride. */
  readonly stride: number;
  /** Bit filter over hash(gram) >>> filterShift. */
  readonly filter: Int32Array;
  readonly filterShift: number;
  /** Open-addressed table: gram → bit mask of offsets j < stride at which some pattern has that gram (0 = empty). */
  readonly keys: Int32Array;
  readonly masks: Int32Array;
  readonly tableShift: number;
  readonly tableMask: number;
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
  return Math.max(1, Math.min(minLength - Q + 1, maxStride, MAX_STRIDE));
}

export function buildPrefilter(set: PatternSet, stride: number): Prefilter {
  const grams = new Map<number, number>();
  const { flat, off, count } = set;
  for (let k = 0; k < count; k++) {
    for (let j = 0; j < stride; j++) {
      const i = off[k] + j;
      const g = flat[i] | (flat[i + 1] << 8) | (flat[i + 2] << 16) | (flat[i + 3] << 24);
      grams.set(g, (grams.get(g) ?? 0) | (1 << j));
    }
  }
  // ~32 filter bits per gram keeps false hits near 3%; capped at 1 MiB so the filter stays in L2.
  const filterBits = Math.min(23, Math.max(13, log2ceil(grams.size * 32)));
  const filter = new Int32Array((1 << filterBits) >>> 5);
  const filterShift = 32 - filterBits;
  const tableBits = Math.max(4, log2ceil(grams.size * 2 + 1));
  const keys = new Int32Array(1 << tableBits);
  const masks = new Int32Array(1 << tableBits);
  const tableShift = 32 - tableBits;
  const tableMask = (1 << tableBits) - 1;
  for (const [g, mask] of grams) {
    const h = Math.imul(g, FILTER_MUL) >>> filterShift;
    filter[h >>> 5] |= 1 << (h & 31);
    let slot = Math.imul(g, TABLE_MUL) >>> tableShift;
    while (masks[slot] !== 0) slot = (slot + 1) & tableMask;
    keys[slot] = g;
    masks[slot] = mask;
  }
  return { stride, filter, filterShift, keys, masks, tableShift, tableMask };
}

/** Offsets mask for an exact gram, 0 if no pattern has it among its first `stride` grams. */
export function gramMask(pf: Prefilter, g: number): number {
  const { keys, masks, tableMask } = pf;
  let slot = Math.imul(g, TABLE_MUL) >>> pf.tableShift;
  for (;;) {
    const m = masks[slot];
    if (m === 0) return 0;
    if (keys[slot] === g) return m;
    slot = (slot + 1) & tableMask;
  }
}
