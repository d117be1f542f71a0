// All distinct patterns of all targets, sorted bytewise and laid out flat, each with the (target, variant) pairs it reports.
import type { MatchTarget, VariantName } from './types.js';
import { MIN_PATTERN_LENGTH, eachVariant } from './variants.js';

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

/** The patterns of one target as latin1 strings: every variant of every secret, plus its cores as they are. */
function eachTargetPattern(target: MatchTarget, emit: (variant: VariantName, latin1: string) => void): void {
  const seen = new Set<string>();
  const push = (variant: VariantName, latin1: string): void => {
    if (latin1.length < MIN_PATTERN_LENGTH || seen.has(latin1)) return;
    seen.add(latin1);
    emit(variant, latin1);
  };
  for (const secret of target.secrets) eachVariant(secret, push);
  for (const core of target.cores) push('core', Buffer.from(core, 'utf8').toString('latin1'));
}

/** The patterns one target is matched by (distinct byte strings, each ≥ MIN_PATTERN_LENGTH). */
export function targetPatterns(target: MatchTarget): { variant: VariantName; bytes: Buffer }[] {
  const out: { variant: VariantName; bytes: Buffer }[] = [];
  eachTargetPattern(target, (variant, latin1) => out.push({ variant, bytes: Buffer.from(latin1, 'latin1') }));
  return out;
}

export function buildPatternSet(targets: readonly MatchTarget[]): PatternSet {
  // latin1 strings compare code unit by code unit, which is exactly bytewise order.
  const byKey = new Map<string, { target: number; variant: VariantName }[]>();
  let total = 0;
  let outs = 0;
  targets.forEach((target, ti) => {
    eachTargetPattern(target, (variant, key) => {
      const list = byKey.get(key);
      if (list) list.push({ target: ti, variant });
      else {
        byKey.set(key, [{ target: ti, variant }]);
        total += key.length;
      }
      outs++;
    });
  });
  const keys = [...byKey.keys()].sort();
  const count = keys.length;
  const flat = Buffer.alloc(total);
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
  for (let k = 0; k < count; k++) {
    const key = keys[k];
    off[k] = at;
    len[k] = key.length;
    at += flat.write(key, at, 'latin1');
    minLength = Math.min(minLength, key.length);
    maxLength = Math.max(maxLength, key.length);
    outStart[k] = o;
    for (const out of byKey.get(key)!) {
      outTarget[o] = out.target;
      outVariant[o] = out.variant;
      o++;
    }
  }
  outStart[count] = o;
  for (let k = count - 1; k >= 0; k--) firstLo[flat[off[k]]] = k;
  for (let k = 0; k < count; k++) firstHi[flat[off[k]]] = k + 1;
  return {
    count, flat: new Uint8Array(flat.buffer, flat.byteOffset, flat.length), off, len, outStart, outTarget, outVariant,
    firstLo, firstHi, minLength, maxLength,
  };
}
