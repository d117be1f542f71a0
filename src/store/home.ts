// Where grith keeps its state ($GRITH_HOME, default ~/.grith) and the fixed names of the files inside it.
import { chmod, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { StoreUnavailableError } from '../core/errors.js';

/** GRITH_HOME (made absolute) when set and non-empty, else ~/.grith. */
export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.GRITH_HOME;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return path.join(homedir(), '.grith');
}

/**
 * Create the home folder (and missing parents) if absent. A folder we create gets mode 0700 whatever the umask;
 * an existing folder keeps the mode its owner chose. Returns true when it was created by this call.
 */
export async function ensureHome(home: string): Promise<boolean> {
  let created: string | undefined;
  try {
    created = await mkdir(home, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new StoreUnavailableError(home, errText(e));
  }
  if (created !== undefined) {
    // mkdir's mode is filtered by the umask; the home holds secrets, so set it explicitly.
    await chmod(home, 0o700);
    return true;
  }
  const st = await stat(home).catch((e: unknown) => {
    throw new StoreUnavailableError(home, errText(e));
  });
  if (!st.isDirectory()) throw new StoreUnavailableError(home, 'exists but is not a folder');
  return false;
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
