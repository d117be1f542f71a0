// The GuardContext of a `grith shell` session. Long sessions use the shared live context (session/guard-context.ts:
// chokidar watch + stat poll); `-c`, on the hot path, uses a lean one that reads store.json once and re-reads it on
// an fs.watch of the home folder, which keeps start-up cheap. Both record to the hash-chained event log.
import { watch, type FSWatcher } from 'node:fs';
import { GrithError, isGrithError } from '../../core/errors.js';
import { compileMatcher } from '../../core/matcher/index.js';
import type { Canary } from '../../core/canary.js';
import { secretsOf, toTargets } from '../../core/targets.js';
import { EventLog } from '../../events/event-log.js';
import type { EventInput, GrithEvent } from '../../events/types.js';
import type { CanarySnapshot } from '../../guards/guard-context.js';
import { storePath } from '../../store/home.js';
import { readStoreFile } from '../../store/store-file.js';
// Type only: the live context (chokidar) is imported when a long session needs it, never on the `-c` path.
import type { SessionGuardContext } from '../guard-context.js';

export type ShellContext = SessionGuardContext;

export interface ShellContextOptions {
  session: string;
  live: boolean;
  /** Every recorded event, once written (the session shows its banner from here). */
  onRecorded?: (e: GrithEvent) => void;
  /** Recording failed: the decision stands, the user must still hear about it. */
  onRecordError?: (e: unknown, input: EventInput) => void;
}

const compileCanaries = (canaries: Canary[]) => compileMatcher(toTargets(canaries));

class CompileError extends GrithError {
  readonly code = 'MATCHER_COMPILE_FAILED';
}

async function leanContext(home: string, opts: ShellContextOptions): Promise<ShellContext> {
  let snap: CanarySnapshot = { matcher: null, canaries: [], version: 0 };
  const listeners = new Set<() => void>();
  const load = async () => {
    let next: CanarySnapshot;
    try {
      const doc = await readStoreFile(storePath(home));
      const canaries = doc?.canaries ?? [];
      next = { matcher: compileCanaries(canaries), canaries, version: snap.version + 1 };
    } catch (e) {
      const error = isGrithError(e) ? e : new CompileError(`cannot compile the canary matcher: ${(e as Error).message}`);
      next = { matcher: null, canaries: [], version: snap.version + 1, error };
    }
    snap = next;
    for (const l of listeners) l();
  };
  await load();
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  try {
    watcher = watch(home, { persistent: false }, (_ev, name) => {
      if (name !== null && name !== 'store.json') return;
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        void load();
      }, 30);
      timer.unref();
    });
    watcher.on('error', () => undefined);
  } catch {
    // No home folder yet: nothing is planted, so there is nothing to reload until a canary is added.
  }

  let log: EventLog | null = null;
  const pending = new Set<Promise<unknown>>();
  const flush = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  return {
    session: opts.session,
    snapshot: () => snap,
    onChange(cb) {
      listeners.add(cb);
      return () => void listeners.delete(cb);
    },
    record(input: EventInput): void {
      log ??= new EventLog(home, { secrets: () => snap.canaries.flatMap((c) => secretsOf(c)) });
      const withSession = input.session ? input : { ...input, session: opts.session };
      const p = log.append(withSession).then(
        (e) => opts.onRecorded?.(e),
        (err: unknown) => opts.onRecordError?.(err, withSession),
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    flush,
    async close() {
      // Events in flight are part of the session: let them land before the process exits.
      await flush();
      watcher?.close();
      if (timer) clearTimeout(timer);
    },
  };
}

export async function openShellContext(home: string, opts: ShellContextOptions): Promise<ShellContext> {
  if (!opts.live) return leanContext(home, opts);
  const { createGuardContext } = await import('../guard-context.js');
  return createGuardContext(home, { session: opts.session, onRecorded: opts.onRecorded, onRecordError: opts.onRecordError });
}
