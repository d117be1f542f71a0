// The one GuardContext of every guard process and every `grith shell` path: live canaries + compiled matcher from
// the store, an event recorder on the hash-chained log that masks every canary secret, and the alert sinks.
import { compileMatcher } from '../core/matcher/index.js';
import { toTargets } from '../core/targets.js';
import type { Canary } from '../core/canary.js';
import { EventLog } from '../events/event-log.js';
import type { EventInput, GrithEvent } from '../events/types.js';
import type { GuardContext } from '../guards/guard-context.js';
import { FireCounter } from '../store/fire-counter.js';
import { LiveCanaries } from '../store/live-canaries.js';
import type { AlertSinks } from './alert-sinks.js';

export interface SessionGuardContext extends GuardContext {
  /** The same canaries, log and sinks, with events stamped with another session (the shell host serves many). */
  forSession(id: string): GuardContext;
  /** Waits for events in flight and alert deliveries (at most 5 s), then stops watching the store. */
  close(): Promise<void>;
}

export interface GuardContextOptions {
  /**
   * live: a long-running guard (mount, proxy, interactive session, shell host): chokidar watch + stat check.
   * once: one `grith shell -c` command, where start-up counts: a bare fs.watch + stat check, no chokidar.
   * Both reload on every store change and fail closed the same way.
   */
  mode: 'live' | 'once';
  session?: string;
  /** Each event once written. */
  onRecorded?: (e: GrithEvent) => void;
  /** Recording failed: the guard's decision stands, but someone must hear about it (default: one stderr line). */
  onRecordError?: (e: unknown, input: EventInput) => void;
}

export const compileCanaries = (canaries: Canary[]) => compileMatcher(toTargets(canaries));

export async function openGuardContext(home: string, opts: GuardContextOptions): Promise<SessionGuardContext> {
  const live = await LiveCanaries.open(home, compileCanaries, { events: opts.mode === 'live' ? 'chokidar' : 'fs.watch' });
  const log = new EventLog(home, { secrets: () => live.snapshot().secrets });
  // Webhooks (from the store's settings) hear every event this process records, without delaying a decision.
  // Loaded with the first event: most `-c` commands record none.
  let alerts: Promise<AlertSinks> | null = null;
  const sinks = () => (alerts ??= import('./alert-sinks.js').then((m) => m.createAlertSinks(home, [], { matcher: () => live.snapshot().matcher })));
  live.on('change', () => {
    if (alerts) void alerts.then((a) => a.refresh());
  });
  const pending = new Set<Promise<unknown>>();
  const onError =
    opts.onRecordError ??
    ((e: unknown, input: EventInput) =>
      process.stderr.write(`grith: could not record ${input.kind} event: ${(e as Error)?.message ?? String(e)}\n`));
  const fires = new FireCounter(home);
  const recorded = async (e: GrithEvent): Promise<GrithEvent> => {
    if (e.kind === 'canary.fired' && e.canaryId) fires.count(e.canaryId, e.ts);
    try {
      opts.onRecorded?.(e);
      (await sinks()).deliver(e);
    } catch (err) {
      onError(err, e);
    }
    return e;
  };
  const flush = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  const recorder = (session: string | undefined) => (event: EventInput) => {
    const input = session && !event.session ? { ...event, session } : event;
    const p = log.append(input).then(recorded, (e: unknown) => {
      onError(e, input);
      return null;
    });
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };
  const view = (session: string | undefined): GuardContext => ({
    session,
    snapshot: () => live.snapshot(),
    onChange(cb) {
      const f = () => cb();
      live.on('change', f);
      return () => void live.off('change', f);
    },
    record: recorder(session),
    flush,
  });

  return {
    ...view(opts.session),
    forSession: (id) => view(id),
    async close() {
      await flush();
      await fires.flush();
      if (alerts) await alerts.then((a) => a.flush(opts.mode === 'once' ? 2_000 : 5_000)).catch(() => undefined);
      await live.close();
    },
  };
}
