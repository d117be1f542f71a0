// What a sink is handed for one event: the event (token-free by contract), its severity, a one-line summary, the
// chain witness (seq + hash) and any rate-limit suppression before it. And the last net before bytes leave: every
// rendered payload is scanned with the canary matcher (all encoded forms); an alert whose payload carries a
// canary in any form is cut down to ids and chain fields, and if even that matches, to seq and hash alone.
import { hostname } from 'node:os';
import { severityOf, type Severity } from '../../core/severity.js';
import { formatAlert } from '../sinks.js';
import type { GrithEvent } from '../types.js';

export interface OutgoingAlert {
  event: GrithEvent;
  severity: Severity;
  summary: string;
  host: string;
  /** Non-critical events the sink's rate limit dropped just before this one. */
  suppressed?: number;
  /** Fields were withheld because the rendered payload matched a canary. */
  withheld?: boolean;
}

const CANARY_KINDS = new Set(['canary.fired', 'canary.read', 'canary.context', 'canary.persisted']);
const host = hostname();

export function summaryOf(e: GrithEvent): string {
  if (e.kind === 'alert.test') return `grith: test alert #${e.seq} from ${host}`;
  if (CANARY_KINDS.has(e.kind) && e.canaryId) {
    const line = formatAlert(e);
    return e.kind === 'canary.context' || e.kind === 'canary.persisted' ? line.replace(/^grith: \S+/, `grith: ${e.kind}`) : line;
  }
  const parts = [`grith: ${e.kind} [${e.guard}]`];
  if (e.canaryId) parts.push(`canary ${e.canaryId}${e.label ? ` "${e.label}"` : ''}`);
  if (e.message) parts.push(e.message);
  parts.push(`#${e.seq}`);
  return parts.join(' ').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

export function toAlert(e: GrithEvent, suppressed = 0): OutgoingAlert {
  return { event: e, severity: severityOf(e.kind), summary: summaryOf(e), host, ...(suppressed > 0 ? { suppressed } : {}) };
}

const KEEP = ['ts', 'seq', 'kind', 'guard', 'action', 'canaryId', 'fingerprint', 'session', 'kid', 'prevHash', 'hash'] as const;

/** The alert with every free-text field dropped: ids, kind and chain fields only. */
export function withheldAlert(a: OutgoingAlert, minimal = false): OutgoingAlert {
  const keep: readonly string[] = minimal ? ['ts', 'seq', 'kind', 'guard', 'action', 'kid', 'prevHash', 'hash'] : KEEP;
  const event = Object.fromEntries(Object.entries(a.event).filter(([k]) => keep.includes(k))) as unknown as GrithEvent;
  return { ...a, event, summary: `grith: ${a.event.kind} [${a.event.guard}] #${a.event.seq} (details withheld: they matched a canary)`, withheld: true };
}

export interface PayloadNet {
  /** True when the bytes carry any canary in any form the matcher knows. */
  hits(payload: Uint8Array | string): boolean;
}

/**
 * Render each alert alone and cut it down until the net finds nothing; then the batch as a whole must be clean too
 * (else every alert is cut to its minimum).
 */
export function netted<T>(alerts: OutgoingAlert[], render: (a: OutgoingAlert[]) => T, toBytes: (t: T) => Uint8Array | string, net: PayloadNet): T {
  const safe = alerts.map((a) => {
    if (!net.hits(toBytes(render([a])))) return a;
    const less = withheldAlert(a);
    return net.hits(toBytes(render([less]))) ? withheldAlert(a, true) : less;
  });
  const out = render(safe);
  return net.hits(toBytes(out)) ? render(safe.map((a) => withheldAlert(a, true))) : out;
}
