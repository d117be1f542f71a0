// What building and running grith's native parts needs from the system, and the one `apt-get install` line that
// provides what is missing: the hint the first failing command and `grith doctor` both give.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type NativePart = 'execguard' | 'launch' | 'fuse' | 'pty';

/** Debian package providing each program grith or its build uses. */
const PROGRAM_PACKAGES: Record<string, string> = {
  cc: 'gcc',
  'g++': 'g++',
  make: 'make',
  python3: 'python3',
  patch: 'patch',
  fusermount3: 'fuse3',
  bwrap: 'bubblewrap',
  unshare: 'util-linux',
  curl: 'curl',
  git: 'git',
  'ssh-keygen': 'openssh-client',
  bash: 'bash',
  sh: 'dash',
  sed: 'sed',
  gzip: 'gzip',
  ...Object.fromEntries(['env', 'od', 'tr', 'cat', 'cp', 'base64'].map((p) => [p, 'coreutils'])),
};


export function packageFor(program: string): string {
  return PROGRAM_PACKAGES[program] ?? program;
}

/** Absolute path of cmd found on PATH (or cmd itself when it is a path), null when absent. */
export function onPath(cmd: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (cmd.includes('/')) return isExecutable(cmd) ? cmd : null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (isExecutable(p)) return p;
  }
  return null;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The programs building a native part runs (compilers honour CC / CXX like node-gyp and the build script do). */
export function buildTools(part: NativePart, env: NodeJS.ProcessEnv = process.env): string[] {
  const cc = env.CC || 'cc';
  if (part === 'execguard' || part === 'launch') return [cc];
  const gyp = [cc, env.CXX || 'g++', 'make', 'python3'];
  return part === 'fuse' ? ['patch', ...gyp] : gyp;
}

export function missingBuildTools(part: NativePart, env: NodeJS.ProcessEnv = process.env): string[] {
  return buildTools(part, env).filter((t) => onPath(t, env) === null);
}

/** `apt-get install -y …` for the programs given (sudo when not root). */
export function aptLine(packages: readonly string[]): string {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return `${sudo}apt-get install -y ${[...new Set(packages)].join(' ')}`;
}

export function aptLineForPrograms(programs: readonly string[]): string {
  return aptLine(programs.map((p) => packageFor(p.replace(/^.*\//, ''))));
}

/** `grith doctor --fix`, with sudo when this user cannot write the installed package (a root-owned global install). */
export function fixCommand(root: string): string {
  try {
    accessSync(root, constants.W_OK);
    return 'grith doctor --fix';
  } catch {
    return 'sudo grith doctor --fix';
  }
}

/** What to do when a native part is missing: install the build tools that are absent, then build it in place. */
export function buildHint(part: NativePart, root: string, env: NodeJS.ProcessEnv = process.env): string {
  const missing = missingBuildTools(part, env);
  const fix = fixCommand(root);
  if (missing.length === 0) return `build it in place with: ${fix}`;
  return `install ${missing.join(', ')} (${aptLineForPrograms(missing)}), then build it in place with: ${fix}`;
}

/** libfuse 2 is what fuse-native links against (at run time; it builds against headers of its own). */
export function libfuse2Hint(): string {
  return `install libfuse 2: ${aptLine(['libfuse2'])} (the package is libfuse2t64 on Debian 13 / Ubuntu 24.04)`;
}

const LIB_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64', '/usr/lib64', '/lib', '/usr/lib'];

/** Whether the dynamic loader can find libfuse.so.2 (the ldconfig cache, else the usual library folders). */
export function hasLibfuse2(): boolean {
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    if (!existsSync(ldconfig)) continue;
    const r = spawnSync(ldconfig, ['-p'], { encoding: 'utf8', timeout: 5000 });
    if (r.status === 0) return /\blibfuse\.so\.2\b/.test(r.stdout);
  }
  return LIB_DIRS.some((d) => existsSync(join(d, 'libfuse.so.2')));
}
