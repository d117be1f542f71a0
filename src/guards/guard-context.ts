// What every guard gets from its session: the current canaries and matcher, and a way to record an event.
import type { Canary } from '../core/canary.js';
import type { GrithError } from '../core/errors.js';
import type { Matcher } from '../core/matcher/types.js';
import type { EventInput, GrithEvent } from '../events/types.js';

export interface CanarySnapshot {
  /** null when the store could not be loaded: the guard must fail closed (deny) and say why. */
  matcher: Matcher | null;
  canaries: Canary[];
  /** Every secret of every canary (values and companions), computed once per snapshot: what output must mask. */
  secrets: readonly string[];
  /** Bumps on every reload; lets a guard cache derived data (decoy tables) per version. */
  version: number;
  error?: GrithError;
}

export interface GuardContext {
  snapshot(): CanarySnapshot;
  /** Subscribe to store reloads (new decoys appear, removed ones vanish). Returns an unsubscribe function. */
  onChange(cb: () => void): () => void;
  /**
   * Record an event. Never blocks the guard's decision (nobody has to wait for the promise); delivery errors are
   * reported, not thrown. The context stamps its session id on events that carry none. Resolves with the event as
   * written (its seq names it to the user), or null when it could not be written.
   */
  record(event: EventInput): Promise<GrithEvent | null>;
  /** Resolves once every event recorded so far is on disk (or failed): before a terminate, before answering. */
  flush(): Promise<void>;
  /** Session id stamped on events, when the guard runs inside `grith shell`. */
  session?: string;
}
