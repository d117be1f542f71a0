// Cross-process mutual exclusion for read-modify-write on files in GRITH_HOME (store.json, events.jsonl).
//
// Design: the lock is a file whose content names its owner ({pid, host, time, nonce}). It is taken with link(2):
// the owner record is first written to a private temp file, then hard-linked to the lock name; link fails with
// EEXIST when the lock is held, and a lock file therefore never exists half-written. Waiters retry with jittered
// exponential backoff (5 ms .. 100 ms) until `timeoutMs` (default 10 s), then throw StoreLockTimeoutError.
// A lock is stale when its owner pid is dead on this host, or it is older than `staleMs` (default 30 s; covers a
// recycled pid or a different host). Breaking a stale lock is itself guarded by a short-lived `<lock>.break`
// file, and removes the lock only if it still holds the exact record judged stale, so two waiters cannot both
// break it and then both enter. Release removes the lock only while it still holds our own nonce.
// In-process callers are queued per lock path first, so one process never polls against itself.
import { randomBytes } from 'node:crypto';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { StoreLockTimeoutError, StoreUnavailableError } from '../core/errors.js';
import { errText } from './home.js';

export interface LockOptions {
  /** Give up after this long (default 10 000 ms). */
  timeoutMs?: number;
  /** A lock older than this is taken over even if its owner looks alive (default 30 000 ms). */
  staleMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  time: number;
  nonce: string;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
export const DEFAULT_LOCK_STALE_MS = 30_000;
/** A `.break` file older than this belonged to a process that died mid-break. */
const BREAKER_STALE_MS = 5_000;

const queues = new Map<string, Promise<void>>();

/** Run fn while holding the lock at lockPath (created next to the protected file). */
export async function withLock<T>(lockPath: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const prev = queues.get(lockPath) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((r) => (done = r));
  const tail = prev.then(() => mine);
  queues.set(lockPath, tail);
  try {
    await prev;
    const release = await acquireLock(lockPath, opts);
    try {
      return await fn();
    } finally {
      await release();
    }
  } finally {
    done();
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  }
}

/** Take the lock; resolves to a release function. Prefer withLock. */
export async function acquireLock(lockPath: string, opts: LockOptions = {}): Promise<() => Promise<void>> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = opts.staleMs ?? DEFAULT_LOCK_STALE_MS;
  const deadline = Date.now() + timeoutMs;
  const nonce = randomBytes(8).toString('hex');
  const tmp = `${lockPath}.${process.pid}.${nonce}.tmp`;
  let delay = 5;
  try {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 && Date.now() >= deadline) throw new StoreLockTimeoutError(lockPath);
      const record = ownerRecord(nonce);
      await writeFile(tmp, record, { mode: 0o600 }).catch((e: unknown) => {
        throw new StoreUnavailableError(lockPath, `cannot create lock: ${errText(e)}`);
      });
      try {
        await link(tmp, lockPath);
        return () => releaseLock(lockPath, record);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') throw new StoreUnavailableError(lockPath, `cannot create lock: ${errText(e)}`);
      }
      const held = await readLock(lockPath);
      if (held === null) continue; // released between our link and our read: try again at once
      if (isStale(held, staleMs)) {
        await breakStale(lockPath, held.raw);
        continue;
      }
      const jittered = delay / 2 + Math.random() * delay;
      await sleep(Math.min(jittered, Math.max(1, deadline - Date.now())));
      delay = Math.min(delay * 2, 100);
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

function ownerRecord(nonce: string): string {
  const owner: LockOwner = { pid: process.pid, host: hostname(), time: Date.now(), nonce };
  return JSON.stringify(owner);
}

interface HeldLock {
  raw: string;
  owner: LockOwner | null;
  mtimeMs: number;
}

async function readLock(lockPath: string): Promise<HeldLock | null> {
  try {
    const [raw, st] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    return { raw, owner: parseOwner(raw), mtimeMs: st.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StoreUnavailableError(lockPath, `cannot read lock: ${errText(e)}`);
  }
}

function parseOwner(raw: string): LockOwner | null {
  try {
    const o = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.time === 'number' && typeof o.nonce === 'string') {
      return o as LockOwner;
    }
  } catch {
    // not ours or damaged: judged by mtime below
  }
  return null;
}

function isStale(held: HeldLock, staleMs: number): boolean {
  const now = Date.now();
  if (held.owner === null) return now - held.mtimeMs > staleMs;
  if (held.owner.host === hostname() && !pidAlive(held.owner.pid)) return true;
  return now - held.owner.time > staleMs;
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function breakStale(lockPath: string, observed: string): Promise<void> {
  const breaker = `${lockPath}.break`;
  try {
    await writeFile(breaker, ownerRecord(randomBytes(8).toString('hex')), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreUnavailableError(lockPath, errText(e));
    // Someone else is breaking it; clear a breaker left by a process that died mid-break.
    const st = await stat(breaker).catch(() => null);
    if (st && Date.now() - st.mtimeMs > BREAKER_STALE_MS) await unlink(breaker).catch(() => undefined);
    await sleep(2 + Math.random() * 5);
    return;
  }
  try {
    const current = await readFile(lockPath, 'utf8').catch(() => null);
    if (current === observed) await unlink(lockPath).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

async function releaseLock(lockPath: string, record: string): Promise<void> {
  const current = await readFile(lockPath, 'utf8').catch(() => null);
  // If we were judged stale and someone took over, the lock is theirs now: leave it.
  if (current === record) await unlink(lockPath).catch(() => undefined);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
