// FUSE operations on names: unlink, rename, link, symlink, mkdir, rmdir. A new name can carry a token; a rename or
// link can carry a file's content out of the zone; a decoy can be neither moved nor removed.
import { linkSync, lstatSync, mkdirSync, readFileSync, renameSync, rmdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import type { DecoyTable } from './decoys.js';
import { EACCES, EEXIST, ENOTEMPTY, EPERM, EXDEV } from './errno.js';
import type { FuseOps } from './fuse-binding.js';
import { isGitConfig, stripGitConfig } from './git-config.js';
import { relOf } from './paths.js';
import type { WorkspaceFs } from './workspace-fs.js';

const noop = () => undefined;

/** A rename or link that touches a decoy (as source or destination) is refused with EPERM and an event. */
function refusedDecoyMove(w: WorkspaceFs, table: DecoyTable, src: string, dst: string, op: 'rename' | 'link', cb: (code: number) => void): boolean {
  const d = table.file(src) ?? table.file(dst);
  if (!d) return false;
  w.events.answer([w.decoyTouch(d, d.rel, 'deny', `${op} of a decoy denied (${w.where(src)} -> ${w.where(dst)})`)], w.pid(), EPERM, cb, noop);
  return true;
}

function unlink(w: WorkspaceFs, path: string, cb: (code: number) => void): void {
  const rel = relOf(path);
  const d = w.decoys().file(rel);
  if (d) return w.events.answer([w.decoyTouch(d, rel, 'deny', 'removal of a decoy denied')], w.pid(), EPERM, cb, noop);
  if (w.refuseIfReadOnly(rel, cb)) return;
  unlinkSync(w.src(rel));
  cb(0);
}

function rename(w: WorkspaceFs, from: string, to: string, cb: (code: number) => void): void {
  const src = relOf(from);
  const dst = relOf(to);
  const table = w.decoys();
  if (refusedDecoyMove(w, table, src, dst, 'rename', cb)) return;
  if (w.isHidden(src) || w.isHidden(dst)) return cb(EACCES);
  if (w.refuseIfReadOnly(src, cb) || w.refuseIfReadOnly(dst, cb)) return;
  if ((table.isDecoyDir(src) && !lstatSync(w.src(src), { throwIfNoEntry: false })) || table.isDecoyDir(dst)) return cb(EPERM);
  w.events.answer([w.judgeName(dst, 'rename'), w.judgeMoveOut(src, dst, 'rename')], w.pid(), EACCES, cb, () => {
    w.materializeParent(dst);
    if (isGitConfig(dst)) {
      // git rewrites its config from what it read here: keep the virtual lines off the disk.
      const st = lstatSync(w.src(src), { throwIfNoEntry: false });
      if (st?.isFile() && st.size < 1 << 20) {
        const clean = stripGitConfig(readFileSync(w.src(src)));
        if (clean) writeFileSync(w.src(src), clean);
      }
    }
    renameSync(w.src(src), w.src(dst));
    w.renameHandles(src, dst);
    cb(0);
  });
}

function link(w: WorkspaceFs, from: string, to: string, cb: (code: number) => void): void {
  const src = relOf(from);
  const dst = relOf(to);
  const table = w.decoys();
  if (refusedDecoyMove(w, table, src, dst, 'link', cb)) return;
  if (table.isDecoyDir(dst)) return cb(EPERM);
  if (w.isHidden(src) || w.isHidden(dst)) return cb(EACCES);
  if (w.refuseIfReadOnly(dst, cb)) return;
  const zone = w.o.zone;
  // A hard link across the zone border would let later in-zone writes land outside it: refuse like a cross-device
  // link, so tools copy instead (and the copy is scanned).
  if (zone.contains(src) !== zone.contains(dst)) {
    return w.events.answer([w.judgeMoveOut(src, dst, 'link')], w.pid(), EACCES, cb, () => cb(EXDEV));
  }
  w.events.answer([w.judgeName(dst, 'link'), w.judgeMoveOut(src, dst, 'link')], w.pid(), EACCES, cb, () => {
    w.materializeParent(dst);
    linkSync(w.src(src), w.src(dst));
    cb(0);
  });
}

function symlink(w: WorkspaceFs, target: string, to: string, cb: (code: number) => void): void {
  const dst = relOf(to);
  const table = w.decoys();
  if (table.file(dst) || table.isDecoyDir(dst)) return cb(EEXIST);
  if (w.isHidden(dst)) return cb(EACCES);
  if (w.refuseIfReadOnly(dst, cb)) return;
  w.events.answer([w.judgeName(dst, 'symlink', target)], w.pid(), EACCES, cb, () => {
    w.materializeParent(dst);
    symlinkSync(target, w.src(dst));
    cb(0);
  });
}

function mkdir(w: WorkspaceFs, path: string, mode: number, cb: (code: number) => void): void {
  const rel = relOf(path);
  const table = w.decoys();
  if (table.file(rel)) return cb(EEXIST);
  if (table.isDecoyDir(rel) && lstatSync(w.src(rel), { throwIfNoEntry: false })) return cb(EEXIST);
  if (w.refuseIfReadOnly(rel, cb, 'mkdir')) return;
  w.events.answer([w.judgeName(rel, 'mkdir')], w.pid(), EACCES, cb, () => {
    w.materializeParent(rel);
    if (table.isDecoyDir(rel)) return cb(EEXIST); // it already exists (virtually)
    if (w.isHidden(rel)) return cb(EACCES);
    mkdirSync(w.src(rel), { mode: mode & 0o7777 });
    cb(0);
  });
}

function rmdir(w: WorkspaceFs, path: string, cb: (code: number) => void): void {
  const rel = relOf(path);
  if (w.decoys().isDecoyDir(rel)) return cb(ENOTEMPTY);
  if (w.refuseIfReadOnly(rel, cb)) return;
  rmdirSync(w.src(rel));
  cb(0);
}

export function nameOps(w: WorkspaceFs): FuseOps {
  return {
    unlink: (p, cb) => unlink(w, p, cb),
    rename: (from, to, cb) => rename(w, from, to, cb),
    link: (from, to, cb) => link(w, from, to, cb),
    symlink: (target, to, cb) => symlink(w, target, to, cb),
    mkdir: (p, mode, cb) => mkdir(w, p, mode, cb),
    rmdir: (p, cb) => rmdir(w, p, cb),
  };
}
