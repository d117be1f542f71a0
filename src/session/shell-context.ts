// The GuardContext of a `grith shell` session: canaries + compiled matcher, event recording, and a hook for the banner.
//
// Two loaders: `live` (long sessions) uses LiveCanaries (chokidar + stat poll); `lean` (`-c`, on the hot path)
// reads store.json once and re-reads it on an fs.watch of the home folder, to keep the start-up cost small.
import { watch, type FSWatcher } from 'node:fs';
import type { Canary } from '../core/canary.js';
import { GrithError, isGrithError } from '../core/errors.js';
import { compileMatcher } from '../core/matcher/index.js';
import { secretsOf, toTargets } from '../core/targets.js';
import { EventLog } from '../events/event-log.js';
import type { EventInput, GrithEvent } from '../events/types.js';
import type { CanarySnapshot, GuardContext } from '../guards/guard-context.js';
import { storePath } from '../store/home.js';
import { readStoreFile } from '../store/store-file.js';

export interface ShellContext extends GuardContext {
  /** record() returns the append promise here, so a terminate can wait for the event to be on disk. */
  record(event: EventInput): Promise<GrithEvent | null>;
  close(): Promise<void>;
}

export interface ShellContextOptions {
  session: string;
  live: boolean;
  /** Every recorded event, once written (the session shows its banner from here). */
  onRecorded?: (e: GrithEvent) => void;
  /** Recording failed: the decision stands, the user must still hear about it. */
  onRecordError?: (e: unknown, input: EventInput) => void;
}

class CompileError extends GrithError {
  readonly code = 'MATCHER_COMPILE_FAILED';
}

export const compileCanaries = (canaries: Canary[]) => compileMatcher(toTargets(canaries));

interface Loader {
  snapshot(): CanarySnapshot;
  onChange(cb: () => void): () => void;
  close(): Promise<void>;
}

async function liveLoader(home: string): Promise<Loader> {
  const { LiveCanaries } = await import('../store/live-canaries.js');
  const live = await LiveCanaries.open(home, compileCanaries);
  return {
    snapshot: () => live.snapshot(),
    onChange(cb) {
      const f = () => cb();
      live.on('change', f);
      return () => live.off('change', f);
    },
    close: () => live.close(),
  };
}

async function leanLoader(home: string): Promise<Loader> {
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
  return {
    snapshot: () => snap,
    onChange(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    async close() {
      watcher?.close();
      if (timer) clearTimeout(timer);
    },
  };
}

export async function openShellContext(home: string, opts: ShellContextOptions): Promise<ShellContext> {
  const loader = opts.live ? await liveLoader(home) : await leanLoader(home);
  let log: EventLog | null = null;
  const pending = new Set<Promise<unknown>>();
  return {
    session: opts.session,
    snapshot: () => loader.snapshot(),
    onChange: (cb) => loader.onChange(cb),
    record(input: EventInput): Promise<GrithEvent | null> {
      log ??= new EventLog(home, { secrets: () => loader.snapshot().canaries.flatMap((c) => secretsOf(c)) });
      const p = log.append({ ...input, session: input.session ?? opts.session }).then(
        (e) => {
          opts.onRecorded?.(e);
          return e;
        },
        (err: unknown) => {
          opts.onRecordError?.(err, input);
          return null;
        },
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
      return p;
    },
    async close() {
      // Events in flight are part of the session: let them land before the process exits.
      await Promise.allSettled([...pending]);
      await loader.close();
    },
  };
}
