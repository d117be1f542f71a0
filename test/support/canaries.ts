// The one canary factory of the tests, and the real matcher compiled from canaries.
import type { Canary, Placement } from '../../src/core/canary.js';
import { getFormat } from '../../src/core/formats/index.js';
import { compileMatcher, variantsOf } from '../../src/core/matcher/index.js';
import type { Matcher } from '../../src/core/matcher/types.js';
import { toTargets } from '../../src/core/targets.js';

let n = 0;

export interface CanarySpec {
  id?: string;
  format?: string;
  /** A fixed value; default a fresh, valid token of the format. */
  value?: string;
  label?: string;
  placements?: Placement[];
  /** Shorthands for placements. */
  decoys?: string[];
  env?: string[];
  terminate?: boolean;
  /** createdAt; default an hour ago. */
  createdAt?: string;
}

export function makeCanary(spec: CanarySpec = {}): Canary {
  const format = spec.format ?? 'github-pat';
  const id = spec.id ?? `c${Date.now().toString(36)}${(++n).toString(36)}`;
  const tok = spec.value === undefined ? getFormat(format).generate() : { value: spec.value };
  const placements: Placement[] = [
    ...(spec.placements ?? []),
    ...(spec.decoys ?? []).map((rel) => ({ kind: 'decoy' as const, rel })),
    ...(spec.env ?? []).map((name) => ({ kind: 'env' as const, name })),
  ];
  return {
    id,
    label: spec.label ?? `label-${id}`,
    format,
    value: tok.value,
    ...('companions' in tok && tok.companions ? { companions: tok.companions } : {}),
    placements,
    createdAt: spec.createdAt ?? new Date(Date.now() - 3_600_000).toISOString(),
    rotatedAt: null,
    terminate: spec.terminate ?? false,
    fires: 0,
    lastFiredAt: null,
  };
}

export function matcherFor(canaries: readonly Canary[]): Matcher {
  return compileMatcher(toTargets(canaries));
}

/** Every encoded form of the canary's value the matcher knows (to assert none reached an upstream). */
export function variantBytes(c: Canary): Buffer[] {
  return variantsOf(c.value).map((v) => v.bytes);
}
