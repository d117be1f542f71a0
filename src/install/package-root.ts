// Where this installation of grith lives (a clone, or a package npm installed) and where its native parts are.
// Every path is absolute: a message naming one must make sense to a user who never saw the package folder.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | null = null;

/** The folder holding grith's package.json, found upward from this file (src/, dist/src/ or dist/shell-fast/). */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && isGrithPackage(pj)) return (cachedRoot = dir);
    dir = dirname(dir);
  }
  throw new Error(`grith's package.json was not found above ${fileURLToPath(import.meta.url)}`);
}

function isGrithPackage(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'grith';
  } catch {
    return false;
  }
}

export interface NativePaths {
  root: string;
  execGuardSource: string;
  execGuardLib: string;
  /** grith-launch, the seccomp exec supervisor every sandboxed session starts its program under. */
  launch: string;
  /** Folder of the fuse-native package, null when it is not installed. */
  fuseNativeDir: string | null;
  /** Folder of the node-pty package, null when it is not installed. */
  ptyDir: string | null;
}

const cachedPaths = new Map<string, NativePaths>();

/** The native parts' paths; the package folders are resolved on first use (the shell -c hot path needs neither). */
export function nativePaths(root: string = packageRoot()): NativePaths {
  const hit = cachedPaths.get(root);
  if (hit) return hit;
  const req = createRequire(join(root, 'package.json'));
  const dirs = new Map<string, string | null>();
  const pkgDir = (name: string): string | null => {
    if (!dirs.has(name)) {
      try {
        dirs.set(name, dirname(req.resolve(`${name}/package.json`)));
      } catch {
        dirs.set(name, null);
      }
    }
    return dirs.get(name)!;
  };
  const paths: NativePaths = {
    root,
    execGuardSource: join(root, 'native', 'execguard', 'execguard.c'),
    execGuardLib: join(root, 'native', 'execguard', 'build', 'libgrith-execguard.so'),
    launch: join(root, 'native', 'seccomp', 'build', 'grith-launch'),
    get fuseNativeDir() {
      return pkgDir('fuse-native');
    },
    get ptyDir() {
      return pkgDir('node-pty');
    },
  };
  cachedPaths.set(root, paths);
  return paths;
}
