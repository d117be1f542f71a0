// The FUSE operations of a grith mount: a passthrough of SOURCE that serves decoys and judges every write.
//
// Handlers run on the main thread and use fs.*Sync on SOURCE (fast, never touches the mount itself, so it cannot
// deadlock). Each handler is wrapped: any exception becomes -errno, never a throw into native code.
import {
  closeSync,
  constants as C,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  writeFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  statfsSync,
  symlinkSync,
  unlinkSync,
  writeSync,
  chmodSync,
  accessSync,
  opendirSync,
  type BigIntStats,
} from 'node:fs';
import { join } from 'node:path';
import { fingerprint, maskSecrets } from '../../core/fingerprint.js';
import type { Hit, Matcher } from '../../core/matcher/types.js';
import { secretsOf } from '../../core/targets.js';
import type { EventInput } from '../../events/types.js';
import type { GuardContext } from '../guard-context.js';
import { cmdlineOf } from './caller.js';
import { augmentExclude, DecoyTable, excludeRepoOf, type DecoyContentFn, type DecoyEntry } from './decoys.js';
import { EACCES, EBADF, EEXIST, ENOENT, ENOTEMPTY, EPERM, EXDEV, errnoOf } from './errno.js';
import type { FuseInstance, FuseOps } from './fuse-binding.js';
import { augmentGitConfig, isGitConfig, stripGitConfig } from './git-config.js';
import { isWithin, parentOf, relOf, type Zone } from './paths.js';
import { contextBytes, bestPerCanary, hitsInWrite, scanChunks } from './write-scanner.js';

export type ZonePolicy = 'alert' | 'deny';

export interface WorkspaceFsOptions {
  source: string;
  mountpoint: string;
  zone: Zone;
  zonePolicy: ZonePolicy;
  ctx: GuardContext;
  decoyContent: DecoyContentFn;
  /** Sub-paths of SOURCE the mount must not show at all (grith's own home, when it lies inside SOURCE). */
  hidden?: readonly string[];
  /** Owner shown for decoys and virtual folders (the user running the mount). */
  uid: number;
  gid: number;
}

interface RealHandle {
  kind: 'real';
  fd: number;
  rel: string;
  append: boolean;
}
interface MemHandle {
  kind: 'mem';
  rel: string;
  content: Buffer;
  decoy?: DecoyEntry;
}
type Handle = RealHandle | MemHandle;

type Verdict = { ok: true; alerts: EventInput[] } | { ok: false; errno: number; events: EventInput[] };

const ACCMODE = 3; // O_ACCMODE (not in fs.constants typings)
const MEM_FH_BASE = 0x40000000;
/** Events of one kind for one place and process per second before the rest are only counted. */
const BURST = 5;
/** Largest content a rename/link out of the zone will scan before refusing (fail closed). */
const MOVE_SCAN_LIMIT = 256 * 1024 * 1024;

export class WorkspaceFs {
  private readonly handles = new Map<number, Handle>();
  private nextMemFh = MEM_FH_BASE;
  private table = DecoyTable.empty();
  private tableVersion = -1;
  private readonly errorSeen = new Map<string, number>();
  private readonly buckets = new Map<string, { start: number; count: number; suppressed: number }>();
  /** canary.read per (pid, canary) at most every 2 s: a reader looping over a decoy must not flood the log. */
  private readonly readSeen = new Map<string, number>();
  private fuse: FuseInstance | null = null;

  private readonly hidden: readonly string[];

  constructor(private readonly o: WorkspaceFsOptions) {
    this.hidden = o.hidden ?? [];
  }

  /** grith's own state is out of the agent's reach: invisible, and no name can be created over it. */
  private isHidden(rel: string): boolean {
    return this.hidden.length > 0 && this.hidden.some((h) => isWithin(rel, h));
  }

  attach(fuse: FuseInstance): void {
    this.fuse = fuse;
  }

  /** The decoys of the current store version (rebuilt lazily when the store changed). */
  decoys(): DecoyTable {
    const snap = this.o.ctx.snapshot();
    if (snap.version !== this.tableVersion) {
      this.table = DecoyTable.build(snap.error ? [] : snap.canaries, this.o.decoyContent);
      this.tableVersion = snap.version;
    }
    return this.table;
  }

  private src(rel: string): string {
    return rel === '' ? this.o.source : this.o.source + '/' + rel;
  }

  private where(rel: string): string {
    return join(this.o.mountpoint, rel);
  }

  private pid(): number {
    return this.fuse?.callerPid ?? 0;
  }

  // ---------------------------------------------------------------- events

  private secrets(): string[] {
    return this.o.ctx.snapshot().canaries.flatMap((c) => secretsOf(c));
  }

  /** Record events with the caller's command line; resolves once they are handed to the log. */
  /**
   * At most BURST events per (kind, canary, place, process) and second: a program retrying a denied write in a loop
   * must not flood the log (or grow the queue of events waiting to be written). The next event that gets through
   * carries how many were held back.
   */
  private admit(e: EventInput, pid: number): { ok: boolean; suppressed: number } {
    const key = `${e.kind}\0${e.action}\0${e.canaryId ?? ''}\0${e.where ?? ''}\0${pid}`;
    const now = Date.now();
    let b = this.buckets.get(key);
    if (!b || now - b.start >= 1000) {
      const suppressed = b?.suppressed ?? 0;
      b = { start: now, count: 0, suppressed: 0 };
      this.buckets.set(key, b);
      if (this.buckets.size > 10_000) this.buckets.clear();
      b.count = 1;
      return { ok: true, suppressed };
    }
    if (b.count < BURST) {
      b.count++;
      return { ok: true, suppressed: 0 };
    }
    b.suppressed++;
    return { ok: false, suppressed: 0 };
  }

  private async emit(events: EventInput[], pid: number): Promise<void> {
    if (events.length === 0) return;
    const admitted: EventInput[] = [];
    for (const e of events) {
      const a = this.admit(e, pid);
      if (a.ok) admitted.push(a.suppressed > 0 ? { ...e, detail: { ...e.detail, suppressedBefore: a.suppressed } } : e);
    }
    if (admitted.length === 0) return;
    try {
      const cmd = await cmdlineOf(pid);
      const secrets = this.secrets();
      for (const e of admitted) {
        this.o.ctx.record({
          ...e,
          ...(pid ? { pid } : {}),
          ...(cmd ? { cmdline: maskSecrets(cmd, secrets) } : {}),
          ...(e.where ? { where: maskSecrets(e.where, secrets) } : {}),
          ...(this.o.ctx.session ? { session: this.o.ctx.session } : {}),
        });
      }
    } catch {
      // record() reports its own delivery errors; nothing here may break a FUSE reply
    }
  }

  private hitEvent(h: Hit, rel: string, action: 'deny' | 'alert', message: string, detail: EventInput['detail']): EventInput {
    return {
      kind: 'canary.fired',
      guard: 'fs',
      action,
      canaryId: h.canaryId,
      label: h.label,
      fingerprint: h.fingerprint,
      variant: h.variant,
      where: this.where(rel),
      message,
      detail,
    };
  }

  /** A rename or link that touches a decoy (as source or destination) is refused with EPERM and an event. */
  private refusedDecoyMove(table: DecoyTable, src: string, dst: string, op: 'rename' | 'link', pid: number, cb: (errno: number) => void): boolean {
    const d = table.file(src) ?? table.file(dst);
    if (!d) return false;
    const ev = this.decoyEvent(d, d.rel, 'canary.fired', 'deny', `${op} of a decoy denied (${this.where(src)} -> ${this.where(dst)})`);
    void settle(this.emit([ev], pid), () => cb(EPERM));
    return true;
  }

  private decoyEvent(d: DecoyEntry, rel: string, kind: 'canary.read' | 'canary.fired', action: 'alert' | 'deny', message: string): EventInput {
    return {
      kind,
      guard: 'fs',
      action,
      canaryId: d.canary.id,
      label: d.canary.label,
      fingerprint: fingerprintOf(d),
      where: this.where(rel),
      message,
    };
  }

  /** guard.error events for fail-closed refusals, at most one per message every 5 s (a denied loop must not flood). */
  private failClosed(rel: string, op: string): Verdict {
    const snap = this.o.ctx.snapshot();
    const msg = snap.error ? snap.error.message : 'no canary matcher loaded';
    const now = Date.now();
    const events: EventInput[] = [];
    if ((this.errorSeen.get(msg) ?? 0) + 5000 < now) {
      this.errorSeen.set(msg, now);
      events.push({
        kind: 'guard.error',
        guard: 'fs',
        action: 'deny',
        where: this.where(rel),
        message: `${op} denied: cannot check for canaries (${msg})`,
      });
    }
    return { ok: false, errno: EACCES, events };
  }

  private matcherOrNull(): Matcher | null {
    const snap = this.o.ctx.snapshot();
    return snap.error || !snap.matcher ? null : snap.matcher;
  }

  /** The zone decision for hits that land at rel. */
  private decide(hits: Hit[], rel: string, op: string, detail: EventInput['detail'] = {}, aliased = false): Verdict {
    if (hits.length === 0) return { ok: true, alerts: [] };
    // A file with several names may have one outside the zone: its bytes land there too.
    const inZone = this.o.zone.contains(rel) && !aliased;
    const deny = !inZone || this.o.zonePolicy === 'deny';
    const message = deny
      ? `${op} denied: canary ${inZone ? 'in the working zone (zone policy deny)' : 'outside the working zone'}`
      : `canary staged: ${op} in the working zone`;
    const events = bestPerCanary(hits).map((h) =>
      this.hitEvent(h, rel, deny ? 'deny' : 'alert', message, { op, inZone, ...detail }),
    );
    return deny ? { ok: false, errno: EACCES, events } : { ok: true, alerts: events };
  }

  /** A new name (create, mkdir, symlink, rename/link destination) can carry a token too. */
  private judgeName(rel: string, op: string, extra?: string): Verdict {
    const m = this.matcherOrNull();
    if (!m) return this.failClosed(rel, op);
    if (m.targetCount === 0) return { ok: true, alerts: [] };
    const hits = m.scan(extra === undefined ? rel : rel + '\n' + extra);
    return this.decide(hits, rel, op, { in: extra === undefined ? 'name' : 'name-or-target' });
  }

  /** A write of data at pos into fd, judged together with the bytes around it already in the file. */
  private judgeWrite(rel: string, fd: number, data: Buffer, pos: number, op = 'write'): Verdict {
    const m = this.matcherOrNull();
    if (!m) return this.failClosed(rel, op);
    if (m.targetCount === 0) return { ok: true, alerts: [] };
    const k = contextBytes(m);
    const nb = Math.min(k, pos);
    let before: Buffer;
    let after: Buffer;
    try {
      before = preadAll(fd, nb, pos - nb);
      after = preadAll(fd, k, pos + data.length);
    } catch {
      return this.failClosed(rel, op); // cannot read the neighbourhood back: cannot judge
    }
    const hits = hitsInWrite(m, before, data, after);
    if (hits.length === 0) return { ok: true, alerts: [] };
    const aliased = !this.o.zone.wholeMount && fstatSync(fd).nlink > 1;
    return this.decide(hits, rel, op, { offset: pos, bytes: data.length, ...(aliased ? { hardLinked: true } : {}) }, aliased);
  }

  /** Whole content of a file or tree leaving the zone (rename/link). */
  private judgeMoveOut(srcRel: string, dstRel: string, op: string): Verdict {
    if (this.o.zone.wholeMount || !this.o.zone.contains(srcRel) || this.o.zone.contains(dstRel)) {
      return { ok: true, alerts: [] };
    }
    const m = this.matcherOrNull();
    if (!m) return this.failClosed(dstRel, op);
    if (m.targetCount === 0) return { ok: true, alerts: [] };
    const budget = { bytes: MOVE_SCAN_LIMIT };
    let hits: Hit[];
    try {
      hits = this.scanTree(m, this.src(srcRel), budget);
    } catch {
      return this.failClosed(dstRel, op);
    }
    if (budget.bytes < 0) return this.failClosed(dstRel, `${op} (content too large to scan)`);
    return this.decide(hits, dstRel, op, { from: this.where(srcRel) });
  }

  private scanTree(m: Matcher, abs: string, budget: { bytes: number }): Hit[] {
    const st = lstatSync(abs);
    if (st.isDirectory()) {
      const out: Hit[] = [];
      for (const name of readdirSync(abs)) {
        out.push(...this.scanTree(m, abs + '/' + name, budget));
        if (budget.bytes < 0) break;
      }
      return out;
    }
    if (st.isSymbolicLink()) return m.scan(readlinkSync(abs));
    if (!st.isFile()) return [];
    budget.bytes -= st.size;
    if (budget.bytes < 0) return [];
    const fd = openSync(abs, 'r');
    try {
      const chunk = Buffer.allocUnsafe(1 << 20);
      let pos = 0;
      const chunks = function* () {
        for (;;) {
          const n = readSync(fd, chunk, 0, chunk.length, pos);
          if (n <= 0) return;
          pos += n;
          yield chunk.subarray(0, n);
        }
      };
      return scanChunks(m, chunks());
    } finally {
      closeSync(fd);
    }
  }

  // ---------------------------------------------------------------- stats

  /** Exact nanosecond times (bigint stats): git compares them, also against an index written outside the mount. */
  private statOf(st: BigIntStats, sizeOverride?: number): object {
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

  private decoyStat(d: DecoyEntry): object {
    return {
      mode: C.S_IFREG | d.mode,
      uid: this.o.uid,
      gid: this.o.gid,
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

  private virtualDirStat(rel: string): object {
    const t = this.decoys().dirMtime(rel);
    return {
      mode: C.S_IFDIR | 0o755,
      uid: this.o.uid,
      gid: this.o.gid,
      size: 4096,
      nlink: 2,
      ino: 0,
      blksize: 4096,
      blocks: 8,
      atime: t,
      mtime: t,
      ctime: t,
    };
  }

  /** What a git file reads through the mount (info/exclude with decoys, config with the untracked cache). */
  private gitView(rel: string): Buffer | null {
    if (isGitConfig(rel)) return augmentGitConfig(readFileSync(this.src(rel)));
    return this.decoys().size > 0 ? this.excludeContent(rel) : null;
  }

  /** info/exclude of a repository with decoys below it, as git should read it; null when not augmented. */
  private excludeContent(rel: string): Buffer | null {
    const repo = excludeRepoOf(rel);
    if (repo === null) return null;
    const below = this.decoys().below(repo);
    if (below.length === 0) return null;
    return augmentExclude(readFileSync(this.src(rel)), below);
  }

  private memHandle(rel: string, content: Buffer, decoy?: DecoyEntry): number {
    const fh = this.nextMemFh++;
    if (this.nextMemFh >= 0x7fffffff) this.nextMemFh = MEM_FH_BASE;
    this.handles.set(fh, { kind: 'mem', rel, content, decoy });
    return fh;
  }

  /** Folders that exist only virtually become real when something is created in them. */
  private materializeParent(rel: string): void {
    const parent = parentOf(rel);
    if (parent !== '' && this.decoys().isDecoyDir(parent)) mkdirSync(this.src(parent), { recursive: true, mode: 0o755 });
  }

  /** Open handles follow a rename so later writes are judged at the new place. */
  private renameHandles(from: string, to: string): void {
    for (const h of this.handles.values()) {
      if (isWithin(h.rel, from)) h.rel = to + h.rel.slice(from.length);
    }
  }

  // ---------------------------------------------------------------- operations

  ops(): FuseOps {
    const ops: FuseOps = {
      init: (cb) => cb(0),

      statfs: (_path, cb) => {
        const s = statfsSync(this.o.source);
        cb(0, {
          bsize: s.bsize,
          frsize: s.bsize,
          blocks: s.blocks,
          bfree: s.bfree,
          bavail: s.bavail,
          files: s.files,
          ffree: s.ffree,
          favail: s.ffree,
          namemax: 255,
        });
      },

      getattr: (path, cb) => {
        const rel = relOf(path);
        if (this.isHidden(rel)) return cb(ENOENT);
        const table = this.decoys();
        const d = table.file(rel);
        if (d) return cb(0, this.decoyStat(d));
        const st = lstatSync(this.src(rel), { bigint: true, throwIfNoEntry: false });
        if (!st) return table.isDecoyDir(rel) ? cb(0, this.virtualDirStat(rel)) : cb(ENOENT);
        if (st.isFile() && (rel.endsWith('/exclude') || rel.endsWith('/config') || rel === '.git/config')) {
          const aug = this.gitView(rel);
          if (aug) return cb(0, this.statOf(st, aug.length));
        }
        cb(0, this.statOf(st));
      },

      fgetattr: (path, fh, cb) => {
        const h = this.handles.get(fh);
        if (!h) return ops.getattr!(path, cb);
        if (h.kind === 'mem') {
          if (h.decoy) return cb(0, this.decoyStat(h.decoy));
          const st = lstatSync(this.src(h.rel), { bigint: true });
          return cb(0, this.statOf(st, h.content.length));
        }
        cb(0, this.statOf(fstatSync(h.fd, { bigint: true })));
      },

      access: (path, mode, cb) => {
        const rel = relOf(path);
        const table = this.decoys();
        if (table.file(rel)) return cb(mode & (C.W_OK | C.X_OK) ? EACCES : 0);
        const abs = this.src(rel);
        if (table.isDecoyDir(rel) && !lstatSync(abs, { throwIfNoEntry: false })) return cb(mode & C.W_OK ? EACCES : 0);
        accessSync(abs, mode);
        cb(0);
      },

      readdir: (path, cb) => {
        const rel = relOf(path);
        if (path === '') return cb(0, [], []); // directory removed while open
        const table = this.decoys();
        const virtual = table.childrenOf(rel);
        let entries: { name: string; type: number }[] = [];
        try {
          entries = readdirSync(this.src(rel), { withFileTypes: true }).map((e) => ({ name: e.name, type: direntType(e) }));
        } catch (e) {
          if (!virtual) throw e;
        }
        const names = ['.', '..'];
        // d_ino 0 makes glibc skip an entry; Node cannot tell the real one, so say "unknown" as libfuse itself does.
        const stats: object[] = [dirent(C.S_IFDIR), dirent(C.S_IFDIR)];
        const seen = new Set<string>();
        for (const e of entries) {
          if (this.hidden.length > 0 && this.isHidden(rel === '' ? e.name : rel + '/' + e.name)) continue;
          seen.add(e.name);
          names.push(e.name);
          const child = rel === '' ? e.name : rel + '/' + e.name;
          const d = virtual?.has(e.name) ? table.file(child) : undefined;
          stats.push(dirent(d ? C.S_IFREG : e.type));
        }
        if (virtual) {
          for (const name of virtual) {
            if (seen.has(name)) continue;
            names.push(name);
            const child = rel === '' ? name : rel + '/' + name;
            stats.push(dirent(table.file(child) ? C.S_IFREG : C.S_IFDIR));
          }
        }
        cb(0, names, stats);
      },

      readlink: (path, cb) => cb(0, readlinkSync(this.src(relOf(path)))),

      open: (path, flags, cb) => {
        const rel = relOf(path);
        const pid = this.pid();
        const table = this.decoys();
        const writing = (flags & ACCMODE) !== C.O_RDONLY || (flags & C.O_TRUNC) !== 0;
        const d = table.file(rel);
        if (d) {
          if (writing) {
            return void settle(this.emit([this.decoyEvent(d, rel, 'canary.fired', 'deny', 'write to a decoy denied')], pid), () => cb(EACCES));
          }
          const fh = this.memHandle(rel, d.content, d);
          const key = `${pid}\0${d.canary.id}`;
          const now = Date.now();
          if ((this.readSeen.get(key) ?? 0) + 2000 > now) return cb(0, fh);
          this.readSeen.set(key, now);
          if (this.readSeen.size > 10_000) this.readSeen.clear();
          // The trap springs here; the reply waits for the reader's command line (async), never for the log.
          return void settle(this.emit([this.decoyEvent(d, rel, 'canary.read', 'alert', 'decoy opened')], pid), () => cb(0, fh));
        }
        if (!writing && (rel.endsWith('/exclude') || rel.endsWith('/config') || rel === '.git/config')) {
          const aug = this.gitView(rel);
          if (aug) return cb(0, this.memHandle(rel, aug));
        }
        const fd = openSync(this.src(rel), sourceFlags(flags));
        this.handles.set(fd, { kind: 'real', fd, rel, append: (flags & C.O_APPEND) !== 0 });
        cb(0, fd);
      },

      create: (path, mode, flags, cb) => {
        const rel = relOf(path);
        const pid = this.pid();
        const table = this.decoys();
        if (table.file(rel) || table.isDecoyDir(rel)) return cb((flags & C.O_EXCL) !== 0 ? EEXIST : EACCES);
        if (this.isHidden(rel)) return cb(EACCES);
        const v = this.judgeName(rel, 'create');
        if (!v.ok) return void settle(this.emit(v.events, pid), () => cb(v.errno));
        void this.emit(v.alerts, pid);
        this.materializeParent(rel);
        const fd = openSync(this.src(rel), sourceFlags(flags) | C.O_CREAT | (flags & C.O_EXCL), mode & 0o7777);
        this.handles.set(fd, { kind: 'real', fd, rel, append: (flags & C.O_APPEND) !== 0 });
        cb(0, fd);
      },

      read: (_path, fh, buf, len, pos, cb) => {
        const h = this.handles.get(fh);
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
      },

      write: (_path, fh, buf, len, pos, cb) => {
        const h = this.handles.get(fh);
        if (!h) return cb(EBADF);
        const pid = this.pid();
        if (h.kind === 'mem') {
          const evs = h.decoy ? [this.decoyEvent(h.decoy, h.rel, 'canary.fired', 'deny', 'write to a decoy denied')] : [];
          return void settle(this.emit(evs, pid), () => cb(h.decoy ? EACCES : EBADF));
        }
        const at = h.append ? fstatSync(h.fd).size : pos;
        const data = buf.subarray(0, len);
        const v = this.judgeWrite(h.rel, h.fd, data, at);
        if (!v.ok) return void settle(this.emit(v.events, pid), () => cb(v.errno));
        void this.emit(v.alerts, pid);
        let done = 0;
        while (done < len) done += writeSync(h.fd, data, done, len - done, at + done);
        cb(len);
      },

      // No flush handler: nothing to do at close(), and leaving it out spares every close a trip to this thread.

      release: (_path, fh, cb) => {
        const h = this.handles.get(fh);
        this.handles.delete(fh);
        if (h?.kind === 'real') closeSync(h.fd);
        cb(0);
      },

      fsync: (_path, datasync, fh, cb) => {
        const h = this.handles.get(fh);
        if (h?.kind === 'real') {
          if (datasync) fdatasyncSync(h.fd);
          else fsyncSync(h.fd);
        }
        cb(0);
      },

      ftruncate: (path, fh, size, cb) => {
        const h = this.handles.get(fh);
        if (!h) return ops.truncate!(path, size, cb);
        if (h.kind === 'mem') return cb(h.decoy ? EACCES : EBADF);
        this.truncateFd(h.rel, h.fd, size, cb);
      },

      truncate: (path, size, cb) => {
        const rel = relOf(path);
        const d = this.decoys().file(rel);
        if (d) {
          return void settle(this.emit([this.decoyEvent(d, rel, 'canary.fired', 'deny', 'truncate of a decoy denied')], this.pid()), () => cb(EACCES));
        }
        const fd = openSync(this.src(rel), C.O_RDWR);
        try {
          this.truncateFd(rel, fd, size, cb);
        } finally {
          closeSync(fd);
        }
      },

      utimens: (path, atime, mtime, cb) => {
        const rel = relOf(path);
        const table = this.decoys();
        if (table.file(rel)) return cb(EPERM);
        const abs = this.src(rel);
        if (atime === null || mtime === null) {
          const st = lstatSync(abs);
          atime ??= st.atimeMs;
          mtime ??= st.mtimeMs;
        }
        lutimesSync(abs, atime / 1000, mtime / 1000);
        cb(0);
      },

      chmod: (path, mode, cb) => {
        const rel = relOf(path);
        if (this.decoys().file(rel)) return cb(EPERM);
        chmodSync(this.src(rel), mode & 0o7777);
        cb(0);
      },

      chown: (path, uid, gid, cb) => {
        const rel = relOf(path);
        if (this.decoys().file(rel)) return cb(EPERM);
        // (uid_t)-1 means "leave unchanged"; fuse-native hands it over as 4294967295.
        lchownSync(this.src(rel), uid === 0xffffffff ? -1 : uid, gid === 0xffffffff ? -1 : gid);
        cb(0);
      },

      mknod: (_path, _mode, _dev, cb) => cb(EPERM), // regular files come through create; no device nodes in a workspace

      unlink: (path, cb) => {
        const rel = relOf(path);
        const d = this.decoys().file(rel);
        if (d) {
          return void settle(this.emit([this.decoyEvent(d, rel, 'canary.fired', 'deny', 'removal of a decoy denied')], this.pid()), () => cb(EPERM));
        }
        unlinkSync(this.src(rel));
        cb(0);
      },

      rename: (from, to, cb) => {
        const src = relOf(from);
        const dst = relOf(to);
        const pid = this.pid();
        const table = this.decoys();
        if (this.refusedDecoyMove(table, src, dst, 'rename', pid, cb)) return;
        if (this.isHidden(src) || this.isHidden(dst)) return cb(EACCES);
        if ((table.isDecoyDir(src) && !lstatSync(this.src(src), { throwIfNoEntry: false })) || table.isDecoyDir(dst)) {
          return cb(EPERM);
        }
        const v1 = this.judgeName(dst, 'rename');
        if (!v1.ok) return void settle(this.emit(v1.events, pid), () => cb(v1.errno));
        const v2 = this.judgeMoveOut(src, dst, 'rename');
        if (!v2.ok) return void settle(this.emit(v2.events, pid), () => cb(v2.errno));
        void this.emit([...v1.alerts, ...v2.alerts], pid);
        this.materializeParent(dst);
        if (isGitConfig(dst)) {
          // git rewrites its config from what it read here: keep the virtual lines off the disk.
          const st = lstatSync(this.src(src), { throwIfNoEntry: false });
          if (st?.isFile() && st.size < 1 << 20) {
            const clean = stripGitConfig(readFileSync(this.src(src)));
            if (clean) writeFileSync(this.src(src), clean);
          }
        }
        renameSync(this.src(src), this.src(dst));
        this.renameHandles(src, dst);
        cb(0);
      },

      link: (from, to, cb) => {
        const src = relOf(from);
        const dst = relOf(to);
        const pid = this.pid();
        const table = this.decoys();
        if (this.refusedDecoyMove(table, src, dst, 'link', pid, cb)) return;
        if (table.isDecoyDir(dst)) return cb(EPERM);
        if (this.isHidden(src) || this.isHidden(dst)) return cb(EACCES);
        // A hard link across the zone border would let later in-zone writes land outside it: refuse like a
        // cross-device link, so tools copy instead (and the copy is scanned).
        if (this.o.zone.contains(src) !== this.o.zone.contains(dst)) {
          const v = this.judgeMoveOut(src, dst, 'link');
          if (!v.ok) return void settle(this.emit(v.events, pid), () => cb(v.errno));
          return cb(EXDEV);
        }
        const v1 = this.judgeName(dst, 'link');
        if (!v1.ok) return void settle(this.emit(v1.events, pid), () => cb(v1.errno));
        const v2 = this.judgeMoveOut(src, dst, 'link');
        if (!v2.ok) return void settle(this.emit(v2.events, pid), () => cb(v2.errno));
        void this.emit([...v1.alerts, ...v2.alerts], pid);
        this.materializeParent(dst);
        linkSync(this.src(src), this.src(dst));
        cb(0);
      },

      symlink: (target, to, cb) => {
        const dst = relOf(to);
        const pid = this.pid();
        const table = this.decoys();
        if (table.file(dst) || table.isDecoyDir(dst)) return cb(EEXIST);
        if (this.isHidden(dst)) return cb(EACCES);
        const v = this.judgeName(dst, 'symlink', target);
        if (!v.ok) return void settle(this.emit(v.events, pid), () => cb(v.errno));
        void this.emit(v.alerts, pid);
        this.materializeParent(dst);
        symlinkSync(target, this.src(dst));
        cb(0);
      },

      mkdir: (path, mode, cb) => {
        const rel = relOf(path);
        const pid = this.pid();
        const table = this.decoys();
        if (table.file(rel)) return cb(EEXIST);
        if (table.isDecoyDir(rel) && lstatSync(this.src(rel), { throwIfNoEntry: false })) return cb(EEXIST);
        const v = this.judgeName(rel, 'mkdir');
        if (!v.ok) return void settle(this.emit(v.events, pid), () => cb(v.errno));
        void this.emit(v.alerts, pid);
        this.materializeParent(rel);
        if (table.isDecoyDir(rel)) return cb(EEXIST); // it already exists (virtually)
        if (this.isHidden(rel)) return cb(EACCES);
        mkdirSync(this.src(rel), { mode: mode & 0o7777 });
        cb(0);
      },

      rmdir: (path, cb) => {
        const rel = relOf(path);
        if (this.decoys().isDecoyDir(rel)) return cb(ENOTEMPTY);
        rmdirSync(this.src(rel));
        cb(0);
      },

    };
    return wrapAll(ops);
  }

  private truncateFd(rel: string, fd: number, size: number, cb: (code: number) => void): void {
    // Growing a file appends zero bytes, and a zero can complete an encoded canary (UTF-16): judge them as a write.
    const cur = fstatSync(fd).size;
    if (size > cur) {
      const m = this.matcherOrNull();
      const grow = Math.min(size - cur, m ? Math.max(1, contextBytes(m)) : 1);
      const v = this.judgeWrite(rel, fd, Buffer.alloc(grow), cur, 'truncate');
      if (!v.ok) {
        void settle(this.emit(v.events, this.pid()), () => cb(v.errno));
        return;
      }
      void this.emit(v.alerts, this.pid());
    }
    ftruncateSync(fd, size);
    cb(0);
  }
}

function fingerprintOf(d: DecoyEntry): string {
  let f = fpCache.get(d.canary.value);
  if (f === undefined) fpCache.set(d.canary.value, (f = fingerprint(d.canary.value)));
  return f;
}
const fpCache = new Map<string, string>();

/** Run then after p whatever p does: a FUSE request must always get its reply. */
function settle(p: Promise<unknown>, then: () => void): Promise<void> {
  return p.then(then, then);
}

function preadAll(fd: number, len: number, pos: number): Buffer {
  if (len <= 0) return Buffer.alloc(0);
  const buf = Buffer.allocUnsafe(len);
  let done = 0;
  while (done < len) {
    const n = readSync(fd, buf, done, len - done, pos + done);
    if (n <= 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

/**
 * Flags for the SOURCE descriptor: read access is always added to write access (a write is judged with the
 * bytes around it), O_APPEND is handled by the guard (offset = current size) so the judged range is the written
 * one, O_DIRECT is dropped (the kernel buffers we get are not aligned).
 */
function sourceFlags(flags: number): number {
  let f = flags & ~(C.O_APPEND | C.O_CREAT | C.O_EXCL | C.O_NOCTTY | (C.O_DIRECT ?? 0));
  if ((f & ACCMODE) === C.O_WRONLY) f = (f & ~ACCMODE) | C.O_RDWR;
  return f;
}

function direntType(e: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): number {
  if (e.isFile()) return C.S_IFREG;
  if (e.isDirectory()) return C.S_IFDIR;
  if (e.isSymbolicLink()) return C.S_IFLNK;
  if (e.isFIFO()) return C.S_IFIFO;
  if (e.isSocket()) return C.S_IFSOCK;
  if (e.isCharacterDevice()) return C.S_IFCHR;
  if (e.isBlockDevice()) return C.S_IFBLK;
  return 0;
}

/** Every handler: exceptions and rejections become -errno; the callback fires exactly once. */
function wrapAll(ops: FuseOps): FuseOps {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(ops)) {
    if (typeof fn !== 'function') continue;
    out[name] = (...args: unknown[]) => {
      const cb = args[args.length - 1] as (...a: unknown[]) => void;
      let called = false;
      const once = (...a: unknown[]) => {
        if (called) return;
        called = true;
        cb(...a);
      };
      args[args.length - 1] = once;
      try {
        (fn as (...a: unknown[]) => void)(...args);
      } catch (e) {
        once(errnoOf(e));
      }
    };
  }
  return out as FuseOps;
}

const FUSE_UNKNOWN_INO = 0xffffffff;
function dirent(mode: number): object {
  return { mode, ino: FUSE_UNKNOWN_INO };
}
