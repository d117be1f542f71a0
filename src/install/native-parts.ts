// Whether each native part of this installation is built (exec-guard library, patched fuse-native addon, node-pty
// addon), with what to do when one is not; and the in-place build `grith doctor --fix` runs.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { nativePaths, type NativePaths } from './package-root.js';
import { buildHint, type NativePart } from './prerequisites.js';

export interface PartState {
  part: NativePart;
  ok: boolean;
  /** One line: what is there, or what is wrong. */
  detail: string;
  /** What to do when not ok. */
  hint?: string;
}

/** Text the patch puts into fuse-native's index.js and fuse-native.c (patches/fuse-native+2.2.6.patch). */
const FUSE_JS_MARKERS = ['grith: caller of the request', 'grith: a time is seconds'];
const FUSE_C_MARKER = 'grith-patch-version: 2';

const REINSTALL = 'reinstall grith (npm install -g grith, or npm ci in a clone)';

export function execGuardState(paths: NativePaths = nativePaths()): PartState {
  if (existsSync(paths.execGuardLib)) return { part: 'execguard', ok: true, detail: `built (${paths.execGuardLib})` };
  return {
    part: 'execguard',
    ok: false,
    detail: `the exec guard library is not built (${paths.execGuardLib})`,
    hint: buildHint('execguard', paths.root),
  };
}

export function launchState(paths: NativePaths = nativePaths()): PartState {
  if (existsSync(paths.launch)) return { part: 'launch', ok: true, detail: `built (${paths.launch})` };
  return {
    part: 'launch',
    ok: false,
    detail: `the seccomp exec supervisor grith-launch is not built (${paths.launch})`,
    hint: buildHint('launch', paths.root),
  };
}

export function fuseBindingState(paths: NativePaths = nativePaths()): PartState {
  const dir = paths.fuseNativeDir;
  if (!dir) return { part: 'fuse', ok: false, detail: 'the fuse-native package is not installed', hint: REINSTALL };
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return '';
    }
  };
  const missing = (detail: string): PartState => ({ part: 'fuse', ok: false, detail, hint: buildHint('fuse', paths.root) });
  if (!FUSE_JS_MARKERS.every((m) => read('index.js').includes(m)) || !read('fuse-native.c').includes(FUSE_C_MARKER)) {
    return missing(`fuse-native is not patched for grith (${dir})`);
  }
  // node-gyp-build falls back to the unpatched prebuild when build/Release has no addon built from the patched source.
  const built = join(dir, 'build', 'Release', 'fuse.node');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(dir, 'fuse-native.c')).mtimeMs) {
    return missing(`fuse-native is patched but its addon is not rebuilt (${built})`);
  }
  return { part: 'fuse', ok: true, detail: `patched and built (${built})` };
}

export function ptyState(paths: NativePaths = nativePaths()): PartState {
  if (!paths.ptyDir) return { part: 'pty', ok: false, detail: 'the node-pty package is not installed', hint: REINSTALL };
  try {
    createRequire(join(paths.root, 'package.json'))('node-pty');
    return { part: 'pty', ok: true, detail: `loads (${paths.ptyDir})` };
  } catch (e) {
    const msg = ((e as Error).message || String(e)).split('\n')[0]!;
    const detail = /Failed to load native module|Cannot find module/.test(msg)
      ? `node-pty's addon is not built (${join(paths.ptyDir, 'build', 'Release', 'pty.node')})`
      : `node-pty's addon does not load (${msg})`;
    return { part: 'pty', ok: false, detail, hint: buildHint('pty', paths.root) };
  }
}

export interface BuildRun {
  ok: boolean;
  /** Everything the build printed (compiler output included). */
  output: string;
}

/** Build every native part in place (scripts/install-native.mjs; built parts are skipped). */
export function buildNativeParts(paths: NativePaths = nativePaths()): Promise<BuildRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(paths.root, 'scripts', 'install-native.mjs')], {
      cwd: paths.root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ ok: false, output: output + String(e) }));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}
