// FUSE operations that read: stat, access, list, open, read, release, fsync. Decoys are served from memory; opening
// one springs the trap (canary.read) and never blocks the reader.
import {
  accessSync,
  closeSync,
  constants as C,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  statfsSync,
  unlinkSync,
} from 'node:fs';
import { EACCES, EBADF, ENOENT } from './errno.js';
import type { FuseOps } from './fuse-binding.js';
import { gitView, mayHaveGitView } from './git-view.js';
import { relOf } from './paths.js';
import { decoyStat, dirent, direntType, statOf, virtualDirStat } from './stats.js';
import type { WorkspaceFs } from './workspace-fs.js';

const ACCMODE = 3; // O_ACCMODE (not in fs.constants typings)

/**
 * Flags for the SOURCE descriptor: read access is always added to write access (a write is judged with the
 * bytes around it), O_APPEND is handled by the guard (offset = current size) so the judged range is the written
 * one, O_DIRECT is dropped (the kernel buffers we get are not aligned).
 */
export function sourceFlags(flags: number): number {
  let f = flags & ~(C.O_APPEND | C.O_CREAT | C.O_EXCL | C.O_NOCTTY | (C.O_DIRECT ?? 0));
  if ((f & ACCMODE) === C.O_WRONLY) f = (f & ~ACCMODE) | C.O_RDWR;
  return f;
}

function viewOf(w: WorkspaceFs, rel: string): Buffer | null {
  return mayHaveGitView(rel) ? gitView(rel, () => readFileSync(w.src(rel)), w.decoys()) : null;
}

function statfs(w: WorkspaceFs, _path: string, cb: Parameters<NonNullable<FuseOps['statfs']>>[1]): void {
  const s = statfsSync(w.o.source);
  cb(0, { bsize: s.bsize, frsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree, favail: s.ffree, namemax: 255 });
}

function getattr(w: WorkspaceFs, path: string, cb: Parameters<NonNullable<FuseOps['getattr']>>[1]): void {
  const rel = relOf(path);
  if (w.isHidden(rel)) return cb(ENOENT);
  const table = w.decoys();
  const d = table.file(rel);
  if (d) return cb(0, decoyStat(d, w.owner));
  const st = lstatSync(w.src(rel), { bigint: true, throwIfNoEntry: false });
  if (!st) return table.isDecoyDir(rel) ? cb(0, virtualDirStat(table.dirMtime(rel), w.owner)) : cb(ENOENT);
  if (st.isFile()) {
    const view = viewOf(w, rel);
    if (view) return cb(0, statOf(st, view.length));
  }
  cb(0, statOf(st));
}

function fgetattr(w: WorkspaceFs, path: string, fh: number, cb: Parameters<NonNullable<FuseOps['fgetattr']>>[2]): void {
  const h = w.handles.get(fh);
  if (!h) return getattr(w, path, cb);
  if (h.kind === 'mem') {
    if (h.decoy) return cb(0, decoyStat(h.decoy, w.owner));
    return cb(0, statOf(lstatSync(w.src(h.rel), { bigint: true }), h.content.length));
  }
  cb(0, statOf(fstatSync(h.fd, { bigint: true })));
}

function access(w: WorkspaceFs, path: string, mode: number, cb: (code: number) => void): void {
  const rel = relOf(path);
  const table = w.decoys();
  if (table.file(rel)) return cb(mode & (C.W_OK | C.X_OK) ? EACCES : 0);
  const abs = w.src(rel);
  if (table.isDecoyDir(rel) && !lstatSync(abs, { throwIfNoEntry: false })) return cb(mode & C.W_OK ? EACCES : 0);
  accessSync(abs, mode);
  cb(0);
}

function readdir(w: WorkspaceFs, path: string, cb: Parameters<NonNullable<FuseOps['readdir']>>[1]): void {
  const rel = relOf(path);
  if (path === '') return cb(0, [], []); // directory removed while open
  const table = w.decoys();
  const virtual = table.childrenOf(rel);
  let entries: { name: string; type: number }[] = [];
  try {
    entries = readdirSync(w.src(rel), { withFileTypes: true }).map((e) => ({ name: e.name, type: direntType(e) }));
  } catch (e) {
    if (!virtual) throw e;
  }
  const names = ['.', '..'];
  const stats: object[] = [dirent(C.S_IFDIR), dirent(C.S_IFDIR)];
  const seen = new Set<string>();
  const child = (name: string) => (rel === '' ? name : rel + '/' + name);
  for (const e of entries) {
    if (w.isHidden(child(e.name))) continue;
    seen.add(e.name);
    names.push(e.name);
    const d = virtual?.has(e.name) ? table.file(child(e.name)) : undefined;
    stats.push(dirent(d ? C.S_IFREG : e.type));
  }
  for (const name of virtual ?? []) {
    if (seen.has(name)) continue;
    names.push(name);
    stats.push(dirent(table.file(child(name)) ? C.S_IFREG : C.S_IFDIR));
  }
  cb(0, names, stats);
}

function open(w: WorkspaceFs, path: string, flags: number, cb: Parameters<NonNullable<FuseOps['open']>>[2]): void {
  const rel = relOf(path);
  const pid = w.pid();
  const writing = (flags & ACCMODE) !== C.O_RDONLY || (flags & C.O_TRUNC) !== 0;
  const d = w.decoys().file(rel);
  if (d) {
    if (writing) return w.events.answer([w.decoyTouch(d, rel, 'deny', 'write to a decoy denied')], pid, EACCES, cb, () => undefined);
    const fh = w.memHandle(rel, d.content, d);
    if (!w.events.firstRead(pid, d.canary.id)) return cb(0, fh);
    // The trap springs here; the reply waits for the reader's command line (async), never for the log.
    void w.events.emit([w.decoyTouch(d, rel, 'alert', 'decoy opened')], pid).then(() => cb(0, fh));
    return;
  }
  if (!writing) {
    const view = viewOf(w, rel);
    if (view) return cb(0, w.memHandle(rel, view));
  } else if (w.refuseIfReadOnly(rel, cb)) return;
  const fd = openSync(w.src(rel), sourceFlags(flags));
  w.handles.set(fd, { kind: 'real', fd, rel, append: (flags & C.O_APPEND) !== 0 });
  cb(0, fd);
}

function read(w: WorkspaceFs, _path: string, fh: number, buf: Buffer, len: number, pos: number, cb: (n: number) => void): void {
  const h = w.handles.get(fh);
  if (!h) return cb(EBADF);
  if (h.kind === 'mem') {
    if (pos >= h.content.length) return cb(0);
    return cb(h.content.copy(buf, 0, pos, Math.min(h.content.length, pos + len)));
  }
  let done = 0;
  while (done < len) {
    const n = readSync(h.fd, buf, done, len - done, pos + done);
    if (n <= 0) break;
    done += n;
  }
  cb(done);
}

function release(w: WorkspaceFs, _path: string, fh: number, cb: (code: number) => void): void {
  const h = w.handles.get(fh);
  w.handles.delete(fh);
  if (h?.kind === 'real') {
    // A file this open created and whose every write was refused stays as if never made (no empty leftover).
    const leftover = h.created === true && h.refused === true && fstatSync(h.fd).size === 0 && fstatSync(h.fd).nlink > 0;
    closeSync(h.fd);
    if (leftover) unlinkSync(w.src(h.rel));
  }
  cb(0);
}

function fsync(w: WorkspaceFs, _path: string, datasync: number, fh: number, cb: (code: number) => void): void {
  const h = w.handles.get(fh);
  if (h?.kind === 'real') {
    if (datasync) fdatasyncSync(h.fd);
    else fsyncSync(h.fd);
  }
  cb(0);
}

// No flush handler: nothing to do at close(), and leaving it out spares every close a trip to this thread.
export function readOps(w: WorkspaceFs): FuseOps {
  return {
    statfs: (p, cb) => statfs(w, p, cb),
    getattr: (p, cb) => getattr(w, p, cb),
    fgetattr: (p, fh, cb) => fgetattr(w, p, fh, cb),
    access: (p, mode, cb) => access(w, p, mode, cb),
    readdir: (p, cb) => readdir(w, p, cb),
    readlink: (p, cb) => cb(0, readlinkSync(w.src(relOf(p)))),
    open: (p, flags, cb) => open(w, p, flags, cb),
    read: (p, fh, buf, len, pos, cb) => read(w, p, fh, buf, len, pos, cb),
    release: (p, fh, cb) => release(w, p, fh, cb),
    fsync: (p, datasync, fh, cb) => fsync(w, p, datasync, fh, cb),
  };
}
