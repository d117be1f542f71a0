// The proxy's events and refusals: what a denied request looks like to the client and in the event log.
import type { Hit } from '../../core/matcher/types.js';
import type { CanarySnapshot, GuardContext } from '../guard-context.js';
import { secretsOf } from '../../core/targets.js';
import { maskForEvent } from './head-scan.js';

export const BLOCKED_BODY = 'blocked by grith: credential exfiltration\n';

export interface Destination {
  host: string;
  port: number;
  /** Speak TLS to the upstream (an intercepted CONNECT or an https:// absolute URL). */
  tls: boolean;
}

export interface Described {
  where: string;
  method: string;
  path: string;
}

/** host:port, method and path for an event, with anything that matches a canary masked. */
export function describe(snap: CanarySnapshot, dest: Destination, method: string, path: string): Described {
  const secrets = snap.canaries.flatMap((c) => secretsOf(c));
  const m = snap.matcher;
  const host = m ? maskForEvent(m, secrets, dest.host, 120) : '[masked]';
  return {
    where: `${host}:${dest.port}`,
    method: method.slice(0, 16),
    path: m ? maskForEvent(m, secrets, path) : '[masked]',
  };
}

/** One canary.fired event per canary that matched (the first hit of each names the variant). */
export function recordFired(ctx: GuardContext, hits: readonly Hit[], d: Described, transport: string): void {
  const seen = new Set<string>();
  for (const h of hits) {
    if (seen.has(h.canaryId)) continue;
    seen.add(h.canaryId);
    ctx.record({
      kind: 'canary.fired',
      guard: 'proxy',
      action: 'deny',
      canaryId: h.canaryId,
      label: h.label,
      fingerprint: h.fingerprint,
      variant: h.variant,
      where: d.where,
      ...(ctx.session ? { session: ctx.session } : {}),
      message: `canary sent to ${d.where} blocked`,
      detail: { method: d.method, path: d.path, transport },
    });
  }
}

export function recordGuardError(ctx: GuardContext, message: string, d: Described): void {
  ctx.record({
    kind: 'guard.error',
    guard: 'proxy',
    action: 'deny',
    where: d.where,
    ...(ctx.session ? { session: ctx.session } : {}),
    message,
    detail: { method: d.method, path: d.path },
  });
}
