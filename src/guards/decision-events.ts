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
  /**
   * The kind of a fire's event (default canary.fired; a decoy opened is canary.read; the model channel canary.context;
   * the agent's own state canary.persisted), or of a refusal without a canary (write.refused).
   */
  kind?: Extract<EventKind, 'canary.fired' | 'canary.read' | 'canary.context' | 'canary.persisted' | 'write.refused'>;
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
  if (d.fires.length === 0) {
    // A refusal by the session's rules, with no canary in it (a write outside the writable paths).
    return d.verdict === 'deny' && place.kind === 'write.refused'
      ? [{ ...base, kind: 'write.refused', message: place.message ?? d.reason, ...(place.detail ? { detail: place.detail } : {}) }]
      : [];
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
