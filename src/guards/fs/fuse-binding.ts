// Loads grith's patched fuse-native (caller pid, create flags, utimens, NULL paths, raw options) or says why not.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { FuseUnavailableError } from '../../core/errors.js';
import { fuseBindingState } from '../../install/native-parts.js';
import { nativePaths } from '../../install/package-root.js';
import { buildHint, libfuse2Hint } from '../../install/prerequisites.js';

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
        : `give yourself access to ${dev}: sudo chmod 666 ${dev} (its usual mode), or add yourself to the group that owns it`,
    );
  }
}

export async function loadFuse(): Promise<FuseClass> {
  if (cached) return cached;
  const state = fuseBindingState();
  if (!state.ok) throw new FuseUnavailableError(`FUSE is not available: ${state.detail}`, state.hint);
  let Fuse: FuseClass;
  try {
    Fuse = require(join(nativePaths().fuseNativeDir!, 'index.js')) as FuseClass;
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw new FuseUnavailableError(
      `FUSE is not available: cannot load the fuse-native addon (${msg})`,
      /libfuse/.test(msg) ? libfuse2Hint() : buildHint('fuse', nativePaths().root),
    );
  }
  cached = Fuse;
  return Fuse;
}
