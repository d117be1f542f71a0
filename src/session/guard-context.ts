// The GuardContext of a long-running guard (mount, proxy): live canaries + compiled matcher from the store, and an
// event recorder on the hash-chained log. Generic: nothing here knows which guard uses it.
import { compileMatcher } from '../core/matcher/index.js';
import { secretsOf, toTargets } from '../core/targets.js';
import { EventLog } from '../events/event-log.js';
import type { EventInput, GrithEvent } from '../events/types.js';
import type { GuardContext } from '../guards/guard-context.js';
import { LiveCanaries } from '../store/live-canaries.js';
import type { Canary } from '../core/canary.js';
import { createAlertSinks } from './alert-sinks.js';

export interface SessionGuardContext extends GuardContext {
  /** Resolves once every event recorded so far is on disk (or has failed). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface GuardContextOptions {
  session?: string;
  /** Each event once written. */
  onRecorded?: (e: GrithEvent) => void;
  /** Recording failed: the guard's decision stands, but someone must hear about it (default: one stderr line). */
  onRecordError?: (e: unknown, input: EventInput) => void;
}

export const compileCanaries = (canaries: Canary[]) => compileMatcher(toTargets(canaries));

export async function createGuardContext(home: string, opts: GuardContextOptions = {}): Promise<SessionGuardContext> {
  const live = await LiveCanaries.open(home, compileCanaries);
  const log = new EventLog(home, { secrets: () => live.snapshot().canaries.flatMap((c) => secretsOf(c)) });
  // Webhooks (from the store's settings) hear every alert this guard records, without delaying its decision.
  const alerts = await createAlertSinks(home);
  live.on('change', () => void alerts.refresh());
  const pending = new Set<Promise<unknown>>();
  const onError =
    opts.onRecordError ??
    ((e: unknown, input: EventInput) =>
      process.stderr.write(`grith: could not record ${input.kind} event: ${(e as Error)?.message ?? String(e)}\n`));

  return {
    session: opts.session,
    snapshot: () => live.snapshot(),
    onChange(cb) {
      const f = () => cb();
      live.on('change', f);
      return () => void live.off('change', f);
    },
    record(event) {
      const input = opts.session && !event.session ? { ...event, session: opts.session } : event;
      const p = log.append(input).then(
        (e) => {
          alerts.deliver(e);
          opts.onRecorded?.(e);
        },
        (e: unknown) => onError(e, input),
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    async flush() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async close() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await alerts.flush(5_000);
      await live.close();
    },
  };
}
