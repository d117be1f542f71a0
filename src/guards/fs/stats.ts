// What the mount answers to stat and readdir: real files' exact nanosecond stats, and synthesised ones for decoys
// and for the folders that exist only because a decoy lies below them.
import { constants as C, type BigIntStats } from 'node:fs';
import type { DecoyEntry } from './decoys.js';

export interface Owner {
  uid: number;
  gid: number;
}

/** Exact nanosecond times (bigint stats): git compares them, also against an index written outside the mount. */
export function statOf(st: BigIntStats, sizeOverride?: number): object {
  return {
    mode: Number(st.mode),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: sizeOverride ?? Number(st.size),
    dev: Number(st.dev),
    nlink: Number(st.nlink),
    ino: Number(st.ino),
    rdev: Number(st.rdev),
    blksize: Number(st.blksize),
    blocks: Number(st.blocks),
    atime: st.atimeNs,
    mtime: st.mtimeNs,
    ctime: st.ctimeNs,
  };
}

/** A decoy looks like a credential file of the user's: 0600-ish mode, their owner, an mtime in the past. */
export function decoyStat(d: DecoyEntry, owner: Owner): object {
  return {
    mode: C.S_IFREG | d.mode,
    uid: owner.uid,
    gid: owner.gid,
    size: d.content.length,
    nlink: 1,
    ino: d.ino,
    blksize: 4096,
    blocks: Math.ceil(d.content.length / 512),
    atime: d.mtimeMs,
    mtime: d.mtimeMs,
    ctime: d.mtimeMs,
  };
}

export function virtualDirStat(mtimeMs: number, owner: Owner): object {
  return {
    mode: C.S_IFDIR | 0o755,
    uid: owner.uid,
    gid: owner.gid,
    size: 4096,
    nlink: 2,
    ino: 0,
    blksize: 4096,
    blocks: 8,
    atime: mtimeMs,
    mtime: mtimeMs,
    ctime: mtimeMs,
  };
}

export function direntType(e: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): number {
  if (e.isFile()) return C.S_IFREG;
  if (e.isDirectory()) return C.S_IFDIR;
  if (e.isSymbolicLink()) return C.S_IFLNK;
  if (e.isFIFO()) return C.S_IFIFO;
  if (e.isSocket()) return C.S_IFSOCK;
  if (e.isCharacterDevice()) return C.S_IFCHR;
  if (e.isBlockDevice()) return C.S_IFBLK;
  return 0;
}

const FUSE_UNKNOWN_INO = 0xffffffff;
/** d_ino 0 makes glibc skip an entry; Node cannot tell the real one, so say "unknown" as libfuse itself does. */
export function dirent(mode: number): object {
  return { mode, ino: FUSE_UNKNOWN_INO };
}
