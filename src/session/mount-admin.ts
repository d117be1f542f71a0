// Managing mounts from outside their process: list the registered ones, and unmount one (live or dead).
import { resolve } from 'node:path';
import { MountError } from '../core/errors.js';
import { forceUnmount, isMounted, mountState } from '../guards/fs/mount-table.js';
import { listMountRecords, pidAlive, readMountRecord, removeMountRecord, type MountRecord } from '../guards/fs/registry.js';

export interface MountListing extends MountRecord {
  state: 'active' | 'dead' | 'stale';
}

/** Registered mounts: active (process alive, mounted), dead (mounted, process gone), stale (record only). */
export async function listMounts(home: string): Promise<MountListing[]> {
  const out: MountListing[] = [];
  for (const r of await listMountRecords(home)) {
    const mounted = await isMounted(r.mountpoint);
    const alive = pidAlive(r.pid);
    out.push({ ...r, state: mounted && alive ? 'active' : mounted ? 'dead' : 'stale' });
  }
  return out;
}

export interface UnmountResult {
  mountpoint: string;
  how: 'stopped' | 'forced' | 'stale-record';
  pid?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Unmount MOUNTPOINT. A live grith mount is asked to stop (SIGTERM: it unmounts and records guard.stopped); a mount
 * whose process died (or that does not answer) is detached with fusermount -u / -uz / umount -l.
 */
export async function unmountPath(home: string, mountpoint: string): Promise<UnmountResult> {
  const mp = resolve(mountpoint);
  const rec = await readMountRecord(home, mp);
  const state = await mountState(mp);
  if (state === 'absent') {
    if (rec) {
      await removeMountRecord(home, mp);
      return { mountpoint: mp, how: 'stale-record', pid: rec.pid };
    }
    throw new MountError(`nothing is mounted at ${mp}`, 'see active mounts with: grith mount --list');
  }
  if (rec && pidAlive(rec.pid) && state === 'live') {
    process.kill(rec.pid, 'SIGTERM');
    for (let i = 0; i < 100 && (await isMounted(mp)); i++) await sleep(100);
    for (let i = 0; i < 50 && pidAlive(rec.pid); i++) await sleep(100);
    if (!(await isMounted(mp))) return { mountpoint: mp, how: 'stopped', pid: rec.pid };
  }
  if (!(await forceUnmount(mp))) {
    throw new MountError(`cannot unmount ${mp}`, 'close programs using it (fuser -m ' + mp + ') and retry');
  }
  if (rec) await removeMountRecord(home, mp);
  return { mountpoint: mp, how: 'forced', ...(rec ? { pid: rec.pid } : {}) };
}
