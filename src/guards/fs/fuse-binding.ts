// Loads grith's patched fuse-native (caller pid, create flags, utimens, NULL paths, raw options) or says why not.
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FuseUnavailableError } from '../../core/errors.js';

export type Cb<T = number> = (code: number, value?: T) => void;

/** The handler surface of the patched fuse-native (see patches/fuse-native+2.2.6.patch). */
export interface FuseOps {
  init?(cb: (code: number) => void): void;
  statfs?(path: string, cb: Cb<object>): void;
  getattr?(path: string, cb: Cb<object>): void;
  fgetattr?(path: string, fd: number, cb: Cb<object>): void;
  access?(path: string, mode: number, cb: Cb<never>): void;
  readdir?(path: string, cb: (code: number, names?: string[], stats?: object[]) => void): void;
  readlink?(path: string, cb: Cb<string>): void;
  open?(path: string, flags: number, cb: Cb<number>): void;
  create?(path: string, mode: number, flags: number, cb: Cb<number>): void;
  read?(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: (n: number) => void): void;
  write?(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: (n: number) => void): void;
  release?(path: string, fd: number, cb: Cb<never>): void;
  flush?(path: string, fd: number, cb: Cb<never>): void;
  fsync?(path: string, datasync: number, fd: number, cb: Cb<never>): void;
  truncate?(path: string, size: number, cb: Cb<never>): void;
  ftruncate?(path: string, fd: number, size: number, cb: Cb<never>): void;
  utimens?(path: string, atimeMs: number | null, mtimeMs: number | null, cb: Cb<never>): void;
  chmod?(path: string, mode: number, cb: Cb<never>): void;
  chown?(path: string, uid: number, gid: number, cb: Cb<never>): void;
  mknod?(path: string, mode: number, dev: number, cb: Cb<never>): void;
  unlink?(path: string, cb: Cb<never>): void;
  rename?(src: string, dest: string, cb: Cb<never>): void;
  link?(src: string, dest: string, cb: Cb<never>): void;
  symlink?(target: string, dest: string, cb: Cb<never>): void;
  mkdir?(path: string, mode: number, cb: Cb<never>): void;
  rmdir?(path: string, cb: Cb<never>): void;
}

export interface FuseInstance {
  readonly mnt: string;
  callerPid: number;
  callerUid: number;
  callerGid: number;
  mount(cb: (err: Error | null) => void): void;
  unmount(cb: (err: Error | null) => void): void;
}

export interface FuseClass {
  new (mnt: string, ops: FuseOps, opts: Record<string, unknown>): FuseInstance;
  unmount(mnt: string, cb: (err: Error | null) => void): void;
}

const require = createRequire(import.meta.url);
let cached: FuseClass | null = null;

/** /dev/fuse present and openable by us. */
export async function checkFuseDevice(): Promise<void> {
  // GRITH_FUSE_DEVICE exists so the "no FUSE" fault can be tested on a machine that has FUSE.
  const dev = process.env.GRITH_FUSE_DEVICE || '/dev/fuse';
  try {
    await access(dev, constants.R_OK | constants.W_OK);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new FuseUnavailableError(
      missing ? `FUSE is not available: ${dev} is missing` : `FUSE is not available: ${dev} is not accessible`,
      missing
        ? 'load the fuse kernel module (modprobe fuse), or run the container with --device /dev/fuse --cap-add SYS_ADMIN'
        : 'add yourself to the group that owns /dev/fuse, or run with access to it',
    );
  }
}

export async function loadFuse(): Promise<FuseClass> {
  if (cached) return cached;
  let dir: string;
  try {
    dir = dirname(require.resolve('fuse-native/package.json'));
  } catch {
    throw new FuseUnavailableError('FUSE is not available: the fuse-native package is not installed', 'run npm install');
  }
  const src = await readFile(join(dir, 'index.js'), 'utf8').catch(() => '');
  if (!src.includes('grith: caller of the request') || !src.includes('grith: a time is seconds')) {
    throw new FuseUnavailableError(
      'FUSE is not available: fuse-native is not patched for grith',
      'run: node scripts/patch-fuse-native.mjs',
    );
  }
  let Fuse: FuseClass;
  try {
    Fuse = require('fuse-native') as FuseClass;
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw new FuseUnavailableError(
      `FUSE is not available: cannot load libfuse (${msg})`,
      /libfuse/.test(msg) ? 'install libfuse 2 (apt-get install libfuse2)' : 'run: node scripts/patch-fuse-native.mjs --force',
    );
  }
  cached = Fuse;
  return Fuse;
}
