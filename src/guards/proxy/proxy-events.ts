// The proxy's decisions and their events: what a request is judged by, and how a judged request is described in
// the event log without the token in it. Handlers translate a Decision once (403, 5xx or a reset).
import type { Socket } from 'node:net';
import { ALLOW, decide, failClosed, firesOf, type Decision, type Refusal } from '../../core/decision.js';
import { oneLine } from '../../core/display.js';
import type { Hit } from '../../core/matcher/types.js';
import { decisionEvents } from '../decision-events.js';
import type { CanarySnapshot, GuardContext } from '../guard-context.js';
import { maskForEvent } from './head-scan.js';
import type { ProxyRuntime } from './runtime.js';


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

/** A decision and the kind of event it records (canary.context for the agent's model channel). */
export interface ProxyJudgement {
  decision: Decision;
  kind?: 'canary.context';
  /** The HTTP status a refusal gets (default 403). */
  status?: number;
}

/**
 * Canaries found in a request: context when the session's agent sends them to its model (then recorded once per
 * canary; later requests only counted), denied otherwise. Synchronous unless a hit meets a model endpoint.
 */
export function judgeRequest(rt: ProxyRuntime, snap: CanarySnapshot, hits: readonly Hit[], d: Described, dest: Destination, client: Socket | undefined): ProxyJudgement | Promise<ProxyJudgement> {
  if (hits.length === 0) return { decision: ALLOW };
  const model = rt.model;
  if (!model || !model.isEndpoint(dest.host, dest.port)) return { decision: judgeHits(snap, hits, d) };
  return model.carriesContext(dest.host, dest.port, client).then((context) => {
    if (!context) return { decision: judgeHits(snap, hits, d), status: MODEL_REFUSAL_STATUS };
    const fires = firesOf(hits, snap.canaries).filter((f) => model.note(f.canaryId));
    const reason = `the session's agent sent canary context to its model at ${d.where}`;
    return { decision: fires.length > 0 ? { verdict: 'alert', fires, reason } : ALLOW, kind: 'canary.context' };
  });
}

/** A decision's refusal for the client, or null when it lets the request go on. */
export function refusalOf(decision: Decision, status = 403): Refused | null {
  return decision.verdict === 'deny' ? { decision, status, body: blockedBody(labelsOf(decision)) } : null;
}

/**
 * A model API client reads 401/403 as "your credentials are wrong" (Claude Code: "Failed to authenticate … please
 * run /login"); a refusal on the way to a model endpoint is 451 instead, which agents show with its body.
 */
export const MODEL_REFUSAL_STATUS = 451;

function labelsOf(d: Refusal): string {
  return d.fires.map((f) => `"${oneLine(f.label, 60)}"`).join(', ');
}

/** The refusal's body once its event is written: a canary refusal names the event. */
export function bodyWithEvent(r: Refused, seq: number | null): string {
  return r.decision.failClosed === undefined ? blockedBody(labelsOf(r.decision), seq) : r.body;
}

/**
 * What an agent shows its user for a blocked request: plainly grith's refusal of a credential canary, never anything
 * that reads as a login or quota problem. The event's number is added once it is written.
 */
export function blockedBody(labels: string, event?: number | null): string {
  const which = labels ? ` ${labels}` : '';
  const ref = event ? ` (event #${event})` : '';
  return `grith blocked this request: it carries the credential canary${which}, a decoy planted by grith to catch exfiltration${ref}\n`;
}

/**
 * The events of a decision — one canary.fired (or canary.context) per canary, or a guard.error for a fail-closed
 * refusal — recorded at once; resolves with the first one's number (a refusal names it to the client).
 */
export async function recordDecision(ctx: GuardContext, decision: Decision, d: Described, transport: string, kind?: 'canary.context'): Promise<number | null> {
  const failed = decision.verdict === 'deny' && decision.failClosed !== undefined;
  const detail: Record<string, string> = failed ? { method: d.method, path: d.path } : { method: d.method, path: d.path, transport };
  const written = decisionEvents('proxy', decision, { where: d.where, detail, kind }).map((e) => ctx.record(e));
  return written.length > 0 ? ((await written[0])?.seq ?? null) : null;
}
