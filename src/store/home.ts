// Where grith keeps its state ($GRITH_HOME, default ~/.grith) and the fixed names of the files inside it.
import type { Stats } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { GrithError, HomeNotFolderError, HomeUnsafeError, StoreUnavailableError } from '../core/errors.js';

/** GRITH_HOME (made absolute) when set and non-empty, else ~/.grith. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.GRITH_HOME;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return path.join(homedir(), '.grith');
}

/**
 * Create the home folder (and missing parents) if absent. A folder we create gets mode 0700 whatever the umask;
 * an existing folder keeps the mode its owner chose, but one that others can write is refused (HomeUnsafeError).
 * Returns true when it was created by this call.
 */
export async function ensureHome(home: string): Promise<boolean> {
  let created: string | undefined;
  try {
    created = await mkdir(home, { recursive: true, mode: 0o700 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new HomeNotFolderError(home, homeLabel(home), await fileInTheWay(home));
    throw new StoreUnavailableError(home, errText(e));
  }
  if (created !== undefined) {
    // mkdir's mode is filtered by the umask; the home holds secrets, so set it explicitly.
    await chmod(home, 0o700);
    return true;
  }
  await assertHomeSafe(home);
  return false;
}

/** What is wrong with an existing home: null when it is a folder only its owner (us or root) can write. */
export function homeProblem(home: string, st: Stats, uid: number | undefined = process.getuid?.()): GrithError | null {
  if (!st.isDirectory()) return new HomeNotFolderError(home, homeLabel(home), home);
  if (uid !== undefined && uid !== 0 && st.uid !== uid && st.uid !== 0) {
    return new HomeUnsafeError(
      `${homeLabel(home)} ${home} belongs to another user (uid ${st.uid})`,
      'use a folder you own: set GRITH_HOME, or leave it unset for ~/.grith',
    );
  }
  const mode = st.mode & 0o7777;
  if ((mode & 0o022) !== 0) {
    const who = (mode & 0o020 ? ['group'] : []).concat(mode & 0o002 ? ['others'] : []).join(' and ');
    return new HomeUnsafeError(
      `${homeLabel(home)} ${home} is writable by ${who} (mode ${mode.toString(8).padStart(4, '0')}): they could change your canaries or the event log`,
      `chmod 700 ${home}, or run grith doctor --fix`,
    );
  }
  return null;
}

/** Throws when an existing home must not be used; a missing home is fine (it is created on first write). */
export async function assertHomeSafe(home: string): Promise<void> {
  let st: Stats;
  try {
    st = await stat(home);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new HomeNotFolderError(home, homeLabel(home), await fileInTheWay(home));
    throw new StoreUnavailableError(home, errText(e));
  }
  const problem = homeProblem(home, st);
  if (problem) throw problem;
}

/** How messages name the home: GRITH_HOME when the user set it, so they know which setting to change. */
function homeLabel(home: string): string {
  const env = process.env.GRITH_HOME;
  return env !== undefined && env.trim() !== '' && path.resolve(env) === home ? 'GRITH_HOME' : 'grith home';
}

/** The nearest existing path at or above p that is not a folder (what makes mkdir fail). */
async function fileInTheWay(p: string): Promise<string> {
  for (let cur = p; ; cur = path.dirname(cur)) {
    const st = await stat(cur).catch(() => null);
    if (st && !st.isDirectory()) return cur;
    if (path.dirname(cur) === cur) return p;
  }
}

export function storePath(home: string): string {
  return path.join(home, 'store.json');
}

export function eventsPath(home: string): string {
  return path.join(home, 'events.jsonl');
}

export function caDir(home: string): string {
  return path.join(home, 'ca');
}

/** Lock names live next to the files they protect (same filesystem, so link/rename stay atomic). */
export function storeLockPath(home: string): string {
  return path.join(home, 'store.lock');
}

export function eventsLockPath(home: string): string {
  return path.join(home, 'events.lock');
}

export function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string') {
    const why: Record<string, string> = {
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      EISDIR: 'is a folder, expected a file',
      ENOTDIR: 'a parent path is not a folder',
      ENOENT: 'does not exist',
      EROFS: 'read-only filesystem',
      ENOSPC: 'no space left on device',
    };
    return why[err.code] ?? `${err.code}`;
  }
  return err instanceof Error ? err.message : String(e);
}
