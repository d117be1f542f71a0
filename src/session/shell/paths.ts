// Files a shell session needs, found from src/ (tests), dist/src/ (compiled) or dist/shell-fast/ (bundled):
// the exec guard library, node-pty, the shell host entry; and the real shell to run.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GrithError } from '../../core/errors.js';
import { execGuardState, launchState, ptyState } from '../../install/native-parts.js';
import { nativePaths } from '../../install/package-root.js';

export class ExecGuardUnavailableError extends GrithError {
  readonly code = 'EXEC_GUARD_UNAVAILABLE';
}

function upward(rel: string): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, rel);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return null;
}

/** native/execguard/build/libgrith-execguard.so of this installation. */
export function execGuardLibrary(): string {
  const paths = nativePaths();
  const state = execGuardState(paths);
  if (state.ok) return paths.execGuardLib;
  throw new ExecGuardUnavailableError(`${state.detail}; grith shell never runs a session unguarded`, state.hint);
}

/** grith-launch, the seccomp exec supervisor of sandboxed sessions; a clear error when it is not built (fail closed). */
export function grithLaunch(): string {
  const paths = nativePaths();
  const state = launchState(paths);
  if (state.ok) return paths.launch;
  throw new ExecGuardUnavailableError(`${state.detail}; a sandboxed session never runs unsupervised`, state.hint);
}

export class PtyUnavailableError extends GrithError {
  readonly code = 'PTY_UNAVAILABLE';
}

/** node-pty, or a clear error saying how to build its addon (npm skips its build when install scripts are blocked). */
export async function loadPty(): Promise<typeof import('node-pty')> {
  try {
    return await import('node-pty');
  } catch {
    const state = ptyState();
    throw new PtyUnavailableError(`a terminal session needs node-pty: ${state.detail}`, state.hint);
  }
}

/** The compiled shell host entry (a daemon runs compiled JavaScript, never TypeScript sources). */
export function hostMainPath(): string | null {
  return upward(join('dist', 'src', 'session', 'shell', 'host', 'main.js')) ?? upward(join('src', 'session', 'shell', 'host', 'main.js'));
}

/** The user's shell for the session; never grith itself (an agent may have SHELL pointing at a grith wrapper). */
export function realShell(env: NodeJS.ProcessEnv, forCommand: boolean): string {
  const candidates = forCommand ? ['/bin/bash', '/usr/bin/bash', '/bin/sh'] : [env.SHELL, '/bin/bash', '/bin/sh'];
  for (const c of candidates) {
    if (c && c.startsWith('/') && !/grith/.test(basename(c)) && existsSync(c)) return c;
  }
  return '/bin/sh';
}
