// A session's private folder in /tmp (sockets, the CA bundle, the views' mountpoints): made 0700 with the owner's
// pid in it, removed at the end, and swept when a session that died left it behind (its owner is gone).
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Short enough for sun_path (108 bytes) below it. */
function base(): string {
  return tmpdir().length < 60 ? tmpdir() : '/tmp';
}

export function makeSessionDir(id: string): string {
  const dir = mkdtempSync(join(base(), `grith-sh-${id}-`));
  writeFileSync(join(dir, 'owner'), String(process.pid), { mode: 0o600 });
  return dir;
}

/** The session folder holds a few plain files (socket, CA bundle): unlink them directly, cheaper than rm -r. */
export function removeSessionDir(dir: string): void {
  try {
    for (const name of readdirSync(dir)) unlinkSync(join(dir, name));
    rmdirSync(dir);
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove this user's session folders whose owner process is gone (a session killed with SIGKILL). A folder that
 * still holds a mount is left alone (its views are unmounted by `grith unmount`, never by a sweep).
 */
export function sweepStaleSessionDirs(): number {
  let removed = 0;
  const uid = process.getuid?.();
  for (const name of readdirSync(base())) {
    if (name.startsWith(`grith-host-${uid}-`)) {
      removed += sweepHostDir(join(base(), name), uid);
      continue;
    }
    if (!name.startsWith('grith-sh-')) continue;
    const dir = join(base(), name);
    try {
      if (lstatSync(dir).uid !== uid) continue;
      const owner = Number(readFileSync(join(dir, 'owner'), 'utf8'));
      if (!owner || alive(owner)) continue;
      for (const sub of readdirSync(dir)) if (lstatSync(join(dir, sub)).isDirectory() && readdirSync(join(dir, sub)).length > 0) throw new Error('busy');
      rmSync(dir, { recursive: true, force: true });
      removed++;
    } catch {
      /* not ours, not dead, or still busy */
    }
  }
  return removed;
}

/** A shell host's folder whose host is gone (crashed, or an older build's) for more than a minute. */
function sweepHostDir(dir: string, uid: number | undefined): number {
  try {
    const st = lstatSync(dir);
    if (st.uid !== uid || Date.now() - st.mtimeMs < 60_000) return 0;
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    if (pid && alive(pid)) return 0;
    rmSync(dir, { recursive: true, force: true });
    return 1;
  } catch {
    return 0;
  }
}
