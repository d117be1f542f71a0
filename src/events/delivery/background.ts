// The background deliverer: when a short-lived command leaves with alerts still undelivered (a sink is down or
// slow), it starts one detached `grith alerts drain --background` per home, which retries with backoff until every
// sink has caught up (or the home is gone, or an hour has passed), then exits. One at a time: it holds
// sinks/drainer.lock (pid-checked, so a dead one is taken over at once).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { StoreLockTimeoutError } from '../../core/errors.js';
import { acquireLock, pidAlive } from '../../store/lock.js';
import { packageRoot } from '../package-root.js';
import { ensureSinksDir, sinksDir } from './cursor.js';
import type { PassResults } from './service.js';
import { DeliveryService } from './service.js';

/** A background deliverer gives up after an hour of retrying; the next command that records an event starts another. */
const BACKGROUND_MAX_MS = 3600_000;
/** Its lock is stale past its life (a recycled pid must not block a new deliverer). */
const LOCK_STALE_MS = BACKGROUND_MAX_MS + 60_000;

export function drainerLockPath(home: string): string {
  return path.join(sinksDir(home), 'drainer.lock');
}

/** pid of a live background deliverer for home, or null. */
export async function readPid(home: string): Promise<number | null> {
  try {
    const o = JSON.parse(await readFile(drainerLockPath(home), 'utf8')) as { pid?: number; time?: number };
    const fresh = typeof o.time === 'number' && Date.now() - o.time < LOCK_STALE_MS;
    return typeof o.pid === 'number' && fresh && pidAlive(o.pid) ? o.pid : null;
  } catch {
    return null;
  }
}

/** Start the background deliverer for home unless one runs; returns its pid when started here. */
export async function ensureBackgroundDelivery(home: string): Promise<number | null> {
  if ((await readPid(home)) !== null) return null;
  const child = spawn(process.execPath, [path.join(packageRoot(), 'bin', 'run.js'), 'alerts', 'drain', '--background'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, GRITH_HOME: home },
  });
  child.unref();
  return child.pid ?? null;
}

function caughtUp(results: PassResults): boolean {
  return [...results.values()].every(({ result }) => result.state === 'idle');
}

export interface DrainLoopOptions {
  /** Give up after this long (default: an hour). */
  maxMs?: number;
  /** Progress lines (foreground `grith alerts drain`). */
  onPass?: (results: PassResults) => void;
  /** Stop at once (attempts in flight are cut; their events stay queued). */
  signal?: AbortSignal;
}

/**
 * Deliver until every sink has caught up. Returns false when another deliverer holds the drainer lock (it does
 * the job) — unless wait is set (foreground), which then just runs passes itself.
 */
export async function drainLoop(home: string, background: boolean, o: DrainLoopOptions = {}): Promise<PassResults> {
  await ensureSinksDir(home);
  let release: (() => Promise<void>) | null = null;
  if (background) {
    try {
      release = await acquireLock(drainerLockPath(home), { timeoutMs: 0, staleMs: LOCK_STALE_MS });
    } catch (e) {
      if (e instanceof StoreLockTimeoutError) return new Map();
      throw e;
    }
  }
  const service = DeliveryService.for(home);
  let wakeUp: () => void = () => undefined;
  const onAbort = () => {
    service.close();
    wakeUp();
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const until = Date.now() + (o.maxMs ?? BACKGROUND_MAX_MS);
  // Delivery sockets are unref'd by design; this process exists to deliver, so hold it open while it does.
  const keepAlive = setInterval(() => undefined, 60_000);
  let results: PassResults = new Map();
  try {
    for (let first = true; ; first = false) {
      results = await service.pass(first);
      o.onPass?.(results);
      if (caughtUp(results) || Date.now() >= until || o.signal?.aborted || !existsSync(home)) return results;
      let wake = 60_000;
      for (const { result } of results.values()) {
        if (result.state === 'more') wake = 0;
        else if (result.state === 'busy') wake = Math.min(wake, 1000);
        else if (result.cursor && result.cursor.nextAttemptAt > 0) wake = Math.min(wake, Math.max(0, result.cursor.nextAttemptAt - Date.now()));
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(Math.max(wake, 50), until - Date.now()));
        wakeUp = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    clearInterval(keepAlive);
    service.close();
    await release?.();
  }
}
