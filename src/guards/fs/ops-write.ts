// FUSE operations that change a file's bytes or attributes: create, write, truncate, times, mode, owner. Every
// byte written is judged in context (the bytes around it) against the working zone; decoys cannot be changed.
import { closeSync, constants as C, fstatSync, lchownSync, lstatSync, lutimesSync, openSync, chmodSync, writeSync, ftruncateSync } from 'node:fs';
import { EACCES, EBADF, EEXIST, EPERM } from './errno.js';
import type { FuseOps } from './fuse-binding.js';
import { sourceFlags } from './ops-read.js';
import { relOf } from './paths.js';
import { contextBytes } from './write-scanner.js';
import type { WorkspaceFs } from './workspace-fs.js';

const noop = () => undefined;

function create(w: WorkspaceFs, path: string, mode: number, flags: number, cb: Parameters<NonNullable<FuseOps['create']>>[3]): void {
  const rel = relOf(path);
  const table = w.decoys();
  if (table.file(rel) || table.isDecoyDir(rel)) return cb((flags & C.O_EXCL) !== 0 ? EEXIST : EACCES);
  if (w.isHidden(rel)) return cb(EACCES);
  if (w.refuseIfReadOnly(rel, cb)) return;
  w.events.answer([w.judgeName(rel, 'create')], w.pid(), EACCES, cb, () => {
    w.materializeParent(rel);
    const fd = openSync(w.src(rel), sourceFlags(flags) | C.O_CREAT | (flags & C.O_EXCL), mode & 0o7777);
    w.handles.set(fd, { kind: 'real', fd, rel, append: (flags & C.O_APPEND) !== 0, created: true });
    cb(0, fd);
  });
}

function write(w: WorkspaceFs, _path: string, fh: number, buf: Buffer, len: number, pos: number, cb: (n: number) => void): void {
  const h = w.handles.get(fh);
  if (!h) return cb(EBADF);
  const pid = w.pid();
  if (h.kind === 'mem') {
    if (!h.decoy) return cb(EBADF);
    return w.events.answer([w.decoyTouch(h.decoy, h.rel, 'deny', 'write to a decoy denied')], pid, EACCES, cb, noop);
  }
  const at = h.append ? fstatSync(h.fd).size : pos;
  const data = buf.subarray(0, len);
  const judged = w.judgeWrite(h.rel, h.fd, data, at);
  if (judged.decision.verdict === 'deny') h.refused = true;
  w.events.answer([judged], pid, EACCES, cb, () => {
    let done = 0;
    while (done < len) done += writeSync(h.fd, data, done, len - done, at + done);
    cb(len);
  });
}

/** Growing a file appends zero bytes, and a zero can complete an encoded canary (UTF-16): judged as a write. */
function truncateFd(w: WorkspaceFs, rel: string, fd: number, size: number, cb: (code: number) => void): void {
  const cur = fstatSync(fd).size;
  const apply = () => {
    ftruncateSync(fd, size);
    cb(0);
  };
  if (size <= cur) return apply();
  const m = w.o.ctx.snapshot().matcher;
  const grow = Math.min(size - cur, m ? Math.max(1, contextBytes(m)) : 1);
  w.events.answer([w.judgeWrite(rel, fd, Buffer.alloc(grow), cur, 'truncate')], w.pid(), EACCES, cb, apply);
}

function truncate(w: WorkspaceFs, path: string, size: number, cb: (code: number) => void): void {
  const rel = relOf(path);
  const d = w.decoys().file(rel);
  if (d) return w.events.answer([w.decoyTouch(d, rel, 'deny', 'truncate of a decoy denied')], w.pid(), EACCES, cb, noop);
  if (w.refuseIfReadOnly(rel, cb)) return;
  const fd = openSync(w.src(rel), C.O_RDWR);
  // The answer may come later (a refusal waits for its event): close once it has.
  const done = (code: number) => {
    closeSync(fd);
    cb(code);
  };
  try {
    truncateFd(w, rel, fd, size, done);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function ftruncate(w: WorkspaceFs, path: string, fh: number, size: number, cb: (code: number) => void): void {
  const h = w.handles.get(fh);
  if (!h) return truncate(w, path, size, cb);
  if (h.kind === 'mem') return cb(h.decoy ? EACCES : EBADF);
  truncateFd(w, h.rel, h.fd, size, cb);
}

function utimens(w: WorkspaceFs, path: string, atime: number | null, mtime: number | null, cb: (code: number) => void): void {
  const rel = relOf(path);
  if (w.decoys().file(rel)) return cb(EPERM);
  if (w.refuseIfReadOnly(rel, cb)) return;
  const abs = w.src(rel);
  if (atime === null || mtime === null) {
    const st = lstatSync(abs);
    atime ??= st.atimeMs;
    mtime ??= st.mtimeMs;
  }
  lutimesSync(abs, atime / 1000, mtime / 1000);
  cb(0);
}

function chmod(w: WorkspaceFs, path: string, mode: number, cb: (code: number) => void): void {
  const rel = relOf(path);
  if (w.decoys().file(rel)) return cb(EPERM);
  if (w.refuseIfReadOnly(rel, cb)) return;
  chmodSync(w.src(rel), mode & 0o7777);
  cb(0);
}

function chown(w: WorkspaceFs, path: string, uid: number, gid: number, cb: (code: number) => void): void {
  const rel = relOf(path);
  if (w.decoys().file(rel)) return cb(EPERM);
  if (w.refuseIfReadOnly(rel, cb)) return;
  // (uid_t)-1 means "leave unchanged"; fuse-native hands it over as 4294967295.
  lchownSync(w.src(rel), uid === 0xffffffff ? -1 : uid, gid === 0xffffffff ? -1 : gid);
  cb(0);
}

export function writeOps(w: WorkspaceFs): FuseOps {
  return {
    create: (p, mode, flags, cb) => create(w, p, mode, flags, cb),
    write: (p, fh, buf, len, pos, cb) => write(w, p, fh, buf, len, pos, cb),
    ftruncate: (p, fh, size, cb) => ftruncate(w, p, fh, size, cb),
    truncate: (p, size, cb) => truncate(w, p, size, cb),
    utimens: (p, atime, mtime, cb) => utimens(w, p, atime, mtime, cb),
    chmod: (p, mode, cb) => chmod(w, p, mode, cb),
    chown: (p, uid, gid, cb) => chown(w, p, uid, gid, cb),
    mknod: (_p, _mode, _dev, cb) => cb(EPERM), // regular files come through create; no device nodes in a workspace
  };
}
