// The proxy's decisions and their events: what a request is judged by, and how a judged request is described in
// the event log without the token in it. Handlers translate a Decision once (403, 5xx or a reset).
import { decide, failClosed, type Decision, type Refusal } from '../../core/decision.js';
import type { Hit } from '../../core/matcher/types.js';
import { decisionEvents } from '../decision-events.js';
import type { CanarySnapshot, GuardContext } from '../guard-context.js';
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
  const m = snap.matcher;
  const host = m ? maskForEvent(m, snap.secrets, dest.host, 120) : '[masked]';
  return {
    where: `${host}:${dest.port}`,
    method: method.slice(0, 16),
    path: m ? maskForEvent(m, snap.secrets, path) : '[masked]',
  };
}

/** A refusal as the client will see it: the decision, and the HTTP status and one-line body that carry it. */
export interface Refused {
  decision: Refusal;
  status: number;
  body: string;
}

/** Fail closed: without a usable store nothing is forwarded. Null when the store is fine. */
export function storeRefusal(snap: CanarySnapshot, what: string): Refused | null {
  if (snap.matcher && !snap.error) return null;
  const why = snap.error?.message ?? 'no matcher loaded';
  return {
    decision: failClosed(`${what} refused, canary store unavailable: ${why}`, why),
    status: 503,
    body: `grith proxy: canary store unavailable, refusing all traffic (${why})\n`,
  };
}

/** The guard could not scan what it was asked to forward (415: an encoding it does not know; 422: a bad body). */
export function unscannable(message: string, why: string, status = 422): Refused {
  return { decision: failClosed(message, why), status, body: `grith proxy: refusing a body it cannot scan (${why})\n` };
}

/** Canaries found in what the client sends are denied. */
export function judgeHits(snap: CanarySnapshot, hits: readonly Hit[], d: Described): Decision {
  return decide(hits, snap.canaries, 'deny', () => `canary sent to ${d.where} blocked`);
}

/** A decision's refusal for the client, or null when it lets the request go on. */
export function refusalOf(decision: Decision): Refused | null {
  return decision.verdict === 'deny' ? { decision, status: 403, body: BLOCKED_BODY } : null;
}

/** The events of a decision: one canary.fired per canary, or a guard.error for a fail-closed refusal. */
export function recordDecision(ctx: GuardContext, decision: Decision, d: Described, transport: string): void {
  const failed = decision.verdict === 'deny' && decision.failClosed !== undefined;
  const detail: Record<string, string> = failed ? { method: d.method, path: d.path } : { method: d.method, path: d.path, transport };
  for (const e of decisionEvents('proxy', decision, { where: d.where, detail })) ctx.record(e);
}
