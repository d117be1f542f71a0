// The events a Decision records: one canary.fired per fire, or one guard.error when the guard failed closed.
import type { Decision } from '../core/decision.js';
import type { EventInput, EventKind, GuardName } from '../events/types.js';

/** Where and by whom, as the guard knows it; every text already token-free. */
export interface EventPlace {
  where?: string;
  pid?: number;
  cmdline?: string;
  /** Overrides the decision's reason as the event message. */
  message?: string;
  /** The kind of a fire's event (default canary.fired; a decoy opened is canary.read; the model channel canary.context). */
  kind?: Extract<EventKind, 'canary.fired' | 'canary.read' | 'canary.context'>;
  detail?: EventInput['detail'];
}

export function decisionEvents(guard: GuardName, d: Decision, place: EventPlace): EventInput[] {
  if (d.verdict === 'allow') return [];
  const base = {
    guard,
    action: d.verdict,
    ...(place.where !== undefined ? { where: place.where } : {}),
    ...(place.pid ? { pid: place.pid } : {}),
    ...(place.cmdline !== undefined ? { cmdline: place.cmdline } : {}),
  } as const;
  if (d.verdict === 'deny' && d.failClosed !== undefined) {
    return [{ ...base, kind: 'guard.error', message: place.message ?? d.reason, ...(place.detail ? { detail: place.detail } : {}) }];
  }
  return d.fires.map((f) => ({
    ...base,
    kind: place.kind ?? 'canary.fired',
    canaryId: f.canaryId,
    label: f.label,
    fingerprint: f.fingerprint,
    ...(f.variant !== undefined ? { variant: f.variant } : {}),
    message: place.message ?? d.reason,
    ...(f.hit || place.detail ? { detail: { ...place.detail, ...(f.hit ? { terminate: f.terminate } : {}) } } : {}),
  }));
}
