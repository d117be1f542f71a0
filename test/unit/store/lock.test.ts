// The cross-process lock: exclusion, timeout against a live owner, takeover of dead or stale owners.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreLockTimeoutError } from '../../../src/core/errors.js';
import { acquireLock, withLock } from '../../../src/store/lock.js';

let dir: string;
let lock: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'grith-lock-'));
  lock = path.join(dir, 'store.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function owner(pid: number, time = Date.now(), host = hostname()): string {
  return JSON.stringify({ pid, host, time, nonce: 'foreign' });
}

/** The pid of a process that has exited and been reaped. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('withLock', () => {
  it('never lets two critical sections overlap, and cleans up after itself', async () => {
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        withLock(lock, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 2));
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(order).toHaveLength(8);
    expect(await readdir(dir)).toEqual([]);
  });

  it('releases the lock when fn throws', async () => {
    await expect(withLock(lock, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await readdir(dir)).toEqual([]);
  });

  it('times out with StoreLockTimeoutError while a live process holds the lock', async () => {
    const held = owner(process.pid);
    await writeFile(lock, held);
    const t0 = Date.now();
    const err = await withLock(lock, () => 'entered', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreLockTimeoutError);
    expect((err as StoreLockTimeoutError).lockPath).toBe(lock);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(await readFile(lock, 'utf8')).toBe(held); // a live owner's lock is never broken
  });

  it('takes over a lock whose owner pid is dead', async () => {
    await writeFile(lock, owner(await deadPid()));
    expect(await withLock(lock, () => 'entered', { timeoutMs: 2000 })).toBe('entered');
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock older than staleMs even if its pid is alive', async () => {
    await writeFile(lock, owner(process.pid, Date.now() - 60_000));
    expect(await withLock(lock, () => 'entered', { timeoutMs: 2000, staleMs: 30_000 })).toBe('entered');
  });

  it('judges an unreadable lock record by its mtime', async () => {
    await writeFile(lock, 'garbage');
    await expect(withLock(lock, () => 'x', { timeoutMs: 200 })).rejects.toBeInstanceOf(StoreLockTimeoutError);
    const old = new Date(Date.now() - 120_000);
    await utimes(lock, old, old);
    expect(await withLock(lock, () => 'entered', { timeoutMs: 2000 })).toBe('entered');
  });

  it('does not remove a lock that was taken over from it', async () => {
    const release = await acquireLock(lock);
    const theirs = owner(process.pid);
    await rm(lock);
    await writeFile(lock, theirs);
    await release();
    expect(await readFile(lock, 'utf8')).toBe(theirs);
  });
});
