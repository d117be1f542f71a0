// What every guard decides about one operation: allow, alert or deny, with the canaries that fired and why.
// Guards build a Decision; each adapter translates it once (FUSE: -errno, proxy: 403 or reset, exec: refusal).
import type { Canary } from './canary.js';
import type { Hit } from './matcher/types.js';

/** One canary found in an operation, and whether it ends the session. */
export interface Fire {
  canaryId: string;
  label: string;
  fingerprint: string;
  /** The form that matched; absent when the canary was touched whole (a decoy file). */
  variant?: string;
  terminate: boolean;
  /** Its most telling hit, when the matcher found it in bytes. */
  hit?: Hit;
}

export type Decision =
  | { readonly verdict: 'allow' }
  /** The operation goes ahead; the fires are recorded (a canary staged in the working zone, the model channel). */
  | { readonly verdict: 'alert'; readonly fires: readonly Fire[]; readonly reason: string }
  /**
   * The operation is refused. failClosed is set when the guard could not check at all (no store, unscannable
   * input): then fires is empty and failClosed says why.
   */
  | { readonly verdict: 'deny'; readonly fires: readonly Fire[]; readonly reason: string; readonly failClosed?: string };

export type Refusal = Extract<Decision, { verdict: 'deny' }>;

export const ALLOW: Decision = Object.freeze({ verdict: 'allow' });

/**
 * How telling a hit is, lower first: the plain token, then any encoded form (the longer match first: it covers
 * more of the token), then a bare random core; ties go to the earlier hit. Every guard reports the same variant
 * for the same bytes because they all rank with this.
 */
export function compareHits(a: Hit, b: Hit): number {
  const cls = (h: Hit) => (h.variant === 'plain' ? 0 : h.variant === 'core' ? 2 : 1);
  return cls(a) - cls(b) || b.end - b.start - (a.end - a.start) || a.start - b.start;
}

/** One fire per canary found, its best hit first by compareHits; in the order the canaries were first hit. */
export function firesOf(hits: readonly Hit[], canaries: readonly Canary[]): Fire[] {
  const best = new Map<string, Hit>();
  for (const h of hits) {
    const cur = best.get(h.canaryId);
    if (!cur || compareHits(h, cur) < 0) best.set(h.canaryId, h);
  }
  const terminate = new Set(canaries.filter((c) => c.terminate).map((c) => c.id));
  return [...best.values()].map((hit) => ({
    canaryId: hit.canaryId,
    label: hit.label,
    fingerprint: hit.fingerprint,
    variant: hit.variant,
    terminate: terminate.has(hit.canaryId),
    hit,
  }));
}

/** The fire of a canary touched as a whole (a decoy opened, written, renamed). */
export function wholeFire(canary: Pick<Canary, 'id' | 'label' | 'terminate'>, fingerprint: string): Fire {
  return { canaryId: canary.id, label: canary.label, fingerprint, terminate: canary.terminate };
}

export function deny(fires: readonly Fire[], reason: string): Decision {
  return { verdict: 'deny', fires, reason };
}

export function alert(fires: readonly Fire[], reason: string): Decision {
  return { verdict: 'alert', fires, reason };
}

/** The guard cannot check (no usable store, input it cannot scan): refuse, and say why. */
export function failClosed(reason: string, why: string): Refusal {
  return { verdict: 'deny', fires: [], reason, failClosed: why };
}

/** Hits found → deny (or alert when the caller's policy allows the operation); none → allow. */
export function decide(hits: readonly Hit[], canaries: readonly Canary[], verdict: 'deny' | 'alert', reason: (fires: readonly Fire[]) => string): Decision {
  if (hits.length === 0) return ALLOW;
  const fires = firesOf(hits, canaries);
  return { verdict, fires, reason: reason(fires) };
}

/** A denial that must end the session: a canary marked terminate fired and was refused. */
export function terminates(d: Decision): boolean {
  return d.verdict === 'deny' && d.fires.some((f) => f.terminate);
}
