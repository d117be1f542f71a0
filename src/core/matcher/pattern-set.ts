// All distinct patterns of all targets, sorted bytewise and laid out flat, each with the (target, variant) pairs it reports.
import type { MatchTarget, VariantName } from './types.js';
import { MIN_PATTERN_LENGTH, variantsOf } from './variants.js';

export interface PatternSet {
  readonly count: number;
  /** Every pattern's bytes back to back, in sorted order (pattern k is flat[off[k] .. off[k] + len[k])). */
  readonly flat: Uint8Array;
  readonly off: Int32Array;
  readonly len: Int32Array;
  /** Outputs of pattern k are outTarget/outVariant[outStart[k] .. outStart[k + 1]). */
  readonly outStart: Int32Array;
  readonly outTarget: Int32Array;
  readonly outVariant: VariantName[];
  /** Patterns starting with byte b are [firstLo[b], firstHi[b]). */
  readonly firstLo: Int32Array;
  readonly firstHi: Int32Array;
  readonly minLength: number;
  readonly maxLength: number;
}

/** The patterns one target is matched by: every variant of every secret, plus its cores as they are. */
export function targetPatterns(target: MatchTarget): { variant: VariantName; bytes: Buffer }[] {
  const out: { variant: VariantName; bytes: Buffer }[] = [];
  const seen = new Set<string>();
  const push = (variant: VariantName, bytes: Buffer): void => {
    const key = bytes.toString('latin1');
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ variant, bytes });
  };
  for (const secret of target.secrets) for (const v of variantsOf(secret)) push(v.variant, v.bytes);
  for (const core of target.cores) {
    const bytes = Buffer.from(core, 'utf8');
    if (bytes.length >= MIN_PATTERN_LENGTH) push('core', bytes);
  }
  return out;
}

export function buildPatternSet(targets: readonly MatchTarget[]): PatternSet {
  // latin1 strings compare code unit by code unit, which is exactly bytewise order.
  const byKey = new Map<string, { bytes: Buffer; outs: { target: number; variant: VariantName }[] }>();
  targets.forEach((target, ti) => {
    for (const { variant, bytes } of targetPatterns(target)) {
      const key = bytes.toString('latin1');
      const entry = byKey.get(key);
      if (entry) entry.outs.push({ target: ti, variant });
      else byKey.set(key, { bytes, outs: [{ target: ti, variant }] });
    }
  });
  const keys = [...byKey.keys()].sort();
  const count = keys.length;
  let total = 0;
  let outs = 0;
  for (const k of keys) {
    total += k.length;
    outs += byKey.get(k)!.outs.length;
  }
  const flat = new Uint8Array(total);
  const off = new Int32Array(count);
  const len = new Int32Array(count);
  const outStart = new Int32Array(count + 1);
  const outTarget = new Int32Array(outs);
  const outVariant: VariantName[] = new Array(outs);
  const firstLo = new Int32Array(256);
  const firstHi = new Int32Array(256);
  let minLength = count === 0 ? 0 : Number.MAX_SAFE_INTEGER;
  let maxLength = 0;
  let at = 0;
  let o = 0;
  keys.forEach((key, k) => {
    off[k] = at;
    len[k] = key.length;
    const entry = byKey.get(key)!;
    flat.set(entry.bytes, at);
    at += key.length;
    minLength = Math.min(minLength, key.length);
    maxLength = Math.max(maxLength, key.length);
    outStart[k] = o;
    for (const out of entry.outs) {
      outTarget[o] = out.target;
      outVariant[o] = out.variant;
      o++;
    }
  });
  outStart[count] = o;
  for (let k = count - 1; k >= 0; k--) firstLo[flat[off[k]]] = k;
  for (let k = 0; k < count; k++) firstHi[flat[off[k]]] = k + 1;
  return { count, flat, off, len, outStart, outTarget, outVariant, firstLo, firstHi, minLength, maxLength };
}
