// The event record: what happened, where, by which guard; never a token value.

export type EventKind =
  | 'canary.fired'
  | 'canary.read'
  /** The session's agent sent a canary to its own model endpoint: it has read the canary into its context. */
  | 'canary.context'
  /** A canary found, at the end of a session, in what the agent wrote into its own state (transcripts). */
  | 'canary.persisted'
  | 'canary.added'
  | 'canary.rotated'
  | 'canary.removed'
  | 'guard.error'
  | 'guard.started'
  | 'guard.stopped';

export type GuardName = 'fs' | 'shell' | 'proxy' | 'scan' | 'cli';
export type EventAction = 'deny' | 'alert' | 'info';

/** What a caller supplies; ts, seq, prevHash and hash are filled by the log. */
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
  prevHash: string;
  hash: string;
}
