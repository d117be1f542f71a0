// Active mounts, one JSON file per mount point under $GRITH_HOME/mounts, so `grith mount --list` and
// `grith unmount` can find the process that serves a mount (or learn that it died).
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface MountRecord {
  pid: number;
  source: string;
  mountpoint: string;
  zones: string[];
  zonePolicy: 'alert' | 'deny';
  startedAt: string;
}

export function mountsDir(home: string): string {
  return join(home, 'mounts');
}

function recordPath(home: string, mountpoint: string): string {
  return join(mountsDir(home), createHash('sha256').update(mountpoint).digest('hex').slice(0, 16) + '.json');
}

export async function writeMountRecord(home: string, rec: MountRecord): Promise<void> {
  await mkdir(mountsDir(home), { recursive: true, mode: 0o700 });
  const file = recordPath(home, rec.mountpoint);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(rec, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, file);
}

export async function removeMountRecord(home: string, mountpoint: string, pid?: number): Promise<void> {
  const file = recordPath(home, mountpoint);
  if (pid !== undefined) {
    const cur = await readMountRecord(home, mountpoint);
    if (cur && cur.pid !== pid) return; // a newer mount of the same point owns it now
  }
  await unlink(file).catch(() => undefined);
}

export async function readMountRecord(home: string, mountpoint: string): Promise<MountRecord | null> {
  try {
    return JSON.parse(await readFile(recordPath(home, mountpoint), 'utf8')) as MountRecord;
  } catch {
    return null;
  }
}

export async function listMountRecords(home: string): Promise<MountRecord[]> {
  let names: string[] = [];
  try {
    names = (await readdir(mountsDir(home))).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: MountRecord[] = [];
  for (const n of names) {
    try {
      out.push(JSON.parse(await readFile(join(mountsDir(home), n), 'utf8')) as MountRecord);
    } catch {
      // a half-written or foreign file is not a mount
    }
  }
  return out.sort((a, b) => a.mountpoint.localeCompare(b.mountpoint));
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
