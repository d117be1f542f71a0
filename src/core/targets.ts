// Turns stored canaries into what the matcher compiles: every secret part and its random core, tagged with id/label.
import type { Canary } from './canary.js';
import { fingerprint } from './fingerprint.js';
import { coresOf, getFormat } from './formats/index.js';
import type { MatchTarget } from './matcher/types.js';

export function secretsOf(canary: Pick<Canary, 'value' | 'companions'>): string[] {
  return [canary.value, ...Object.values(canary.companions ?? {})];
}

/** Shortest fragment of a random core that is still matched: 16 characters of ≥ 5 random bits is ≥ 80 bits. */
export const MIN_CORE = 16;

/**
 * A core and its first and last MIN_CORE characters: a token cut short keeps the start of its core, one with the
 * front torn off keeps the end, so either fragment alone still fires.
 */
export function coreWindows(core: string): string[] {
  if (core.length < MIN_CORE) return [];
  if (core.length === MIN_CORE) return [core];
  return [core, core.slice(0, MIN_CORE), core.slice(-MIN_CORE)];
}

export function toTarget(canary: Canary): MatchTarget {
  const format = getFormat(canary.format);
  const cores = coresOf(format, { value: canary.value, companions: canary.companions }).flatMap(coreWindows);
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
