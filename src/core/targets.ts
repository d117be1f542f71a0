// Turns stored canaries into what the matcher compiles: every secret part and its random core, tagged with id/label.
import type { Canary } from './canary.js';
import { fingerprint } from './fingerprint.js';
import { coresOf, getFormat } from './formats/index.js';
import type { MatchTarget } from './matcher/types.js';

export function secretsOf(canary: Pick<Canary, 'value' | 'companions'>): string[] {
  return [canary.value, ...Object.values(canary.companions ?? {})];
}

export function toTarget(canary: Canary): MatchTarget {
  const format = getFormat(canary.format);
  const cores = coresOf(format, { value: canary.value, companions: canary.companions }).filter((c) => c.length >= 16);
  return {
    canaryId: canary.id,
    label: canary.label,
    fingerprint: fingerprint(canary.value),
    secrets: secretsOf(canary),
    cores: [...new Set(cores)],
  };
}

export function toTargets(canaries: readonly Canary[]): MatchTarget[] {
  return canaries.map(toTarget);
}
