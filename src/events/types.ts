// The event record: what happened, where, by which guard; never a token value.

export const EVENT_KINDS = [
  'canary.fired',
  'canary.read',
  'canary.context',
  'canary.persisted',
  'canary.added',
  'canary.rotated',
  'canary.removed',
  'guard.error',
  'guard.degraded',
  /** A guard refused an operation that carries no canary, by the session's rules (a write to a read-only path). */
  'write.refused',
  'guard.started',
  'guard.stopped',
  'alert.test',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

export type GuardName = 'fs' | 'shell' | 'proxy' | 'scan' | 'cli';
export type EventAction = 'deny' | 'alert' | 'info';

/** What a caller supplies; ts, seq, kid, prevHash and hash are filled by the log. */
export interface EventInput {
  kind: EventKind;
  guard: GuardName;
  action: EventAction;
  canaryId?: string;
  label?: string;
  fingerprint?: string;
  variant?: string;
  /** Path, masked argv, destination host:port — always with any token masked. */
  where?: string;
  pid?: number;
  cmdline?: string;
  session?: string;
  message?: string;
  /** Extra structured detail (method, offset, file...). Never a token value. */
  detail?: Record<string, string | number | boolean>;
}

export interface GrithEvent extends EventInput {
  ts: string;
  seq: number;
  /** Id of the chain key that signed this line (absent on lines written before the chain was keyed). */
  kid?: string;
  prevHash: string;
  hash: string;
}
