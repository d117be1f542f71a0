// Where this grith is installed (the folder with its package.json and bin/), found from this module's own path so it
// works from a clone (dist/src/...) and from an npm install alike.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'bin', 'run.js'))) return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the grith package folder');
    dir = up;
  }
}

export function grithVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0';
  } catch {
    return '0';
  }
}
