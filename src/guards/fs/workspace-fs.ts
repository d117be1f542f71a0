// The state of a grith mount and its judgements: a passthrough of SOURCE that serves decoys and judges every write,
// name and move against the working zone. The FUSE operations themselves are in ops-*.ts, one function each.
//
// Handlers run on the main thread and use fs.*Sync on SOURCE (fast, never touches the mount itself, so it cannot
// deadlock). Each handler is wrapped: any exception becomes -errno, never a throw into native code.
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { ALLOW, failClosed, wholeFire, type Decision } from '../../core/decision.js';
import { fingerprint } from '../../core/fingerprint.js';
import type { Hit, Matcher } from '../../core/matcher/types.js';
import type { GuardContext } from '../guard-context.js';
import { DecoyTable, type DecoyContentFn, type DecoyEntry } from './decoys.js';
import { EROFS, errnoOf } from './errno.js';
import type { FuseInstance, FuseOps } from './fuse-binding.js';
import { FsEvents, type Judged } from './fs-events.js';
import { nameOps } from './ops-names.js';
import { readOps } from './ops-read.js';
import { writeOps } from './ops-write.js';
import { isWithin, parentOf, type Zone } from './paths.js';
import type { Owner } from './stats.js';
import { contextBytes, hitsInWrite, scanChunks } from './write-scanner.js';
import { zoneDecision, type ZonePolicy } from './zone-policy.js';

export type { ZonePolicy } from './zone-policy.js';

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
  /**
   * A view of a folder the session may only partly change (the user's home in a sandboxed session): outside the
   * zone every change is refused with EROFS and a write.refused event instead of being passed through.
   */
  readOnlyOutsideZone?: boolean;
  /** Paths inside the zone that are the agent's own state: a canary written there is recorded as persisted. */
  agentState?: Zone;
  /** Serve no decoys (a session's home: the user's own files stay as they are). */
  noDecoys?: boolean;
  /** The path the mount's users see it at, for events (a sandbox binds the mount over its source). */
  shownAt?: string;
}

export interface RealHandle {
  kind: 'real';
  fd: number;
  rel: string;
  append: boolean;
  /** Made by this open (create): if every write to it was refused, no empty file is left behind at release. */
  created?: boolean;
  refused?: boolean;
}
export interface MemHandle {
  kind: 'mem';
  rel: string;
  content: Buffer;
  decoy?: DecoyEntry;
}
export type Handle = RealHandle | MemHandle;

const MEM_FH_BASE = 0x40000000;
/** Largest content a rename/link out of the zone will scan before refusing (fail closed). */
const MOVE_SCAN_LIMIT = 256 * 1024 * 1024;

export class WorkspaceFs {
  readonly handles = new Map<number, Handle>();
  readonly events: FsEvents;
  readonly owner: Owner;
  private nextMemFh = MEM_FH_BASE;
  private table = DecoyTable.empty();
  private tableVersion = -1;
  private fuse: FuseInstance | null = null;
  private readonly hidden: readonly string[];

  constructor(readonly o: WorkspaceFsOptions) {
    this.hidden = o.hidden ?? [];
    this.events = new FsEvents(o.ctx);
    this.owner = { uid: o.uid, gid: o.gid };
  }

  attach(fuse: FuseInstance): void {
    this.fuse = fuse;
  }

  /** Every FUSE operation, each wrapped so that an exception becomes -errno and the reply comes exactly once. */
  ops(): FuseOps {
    const ops: FuseOps = { init: (cb) => cb(0) };
    Object.assign(ops, readOps(this), writeOps(this), nameOps(this));
    return wrapAll(ops);
  }

  /** grith's own state is out of the agent's reach: invisible, and no name can be created over it. */
  isHidden(rel: string): boolean {
    return this.hidden.length > 0 && this.hidden.some((h) => isWithin(rel, h));
  }

  /** The decoys of the current store version (rebuilt lazily when the store changed). */
  decoys(): DecoyTable {
    const snap = this.o.ctx.snapshot();
    if (snap.version !== this.tableVersion) {
      this.table = DecoyTable.build(snap.error || this.o.noDecoys ? [] : snap.canaries, this.o.decoyContent);
      this.tableVersion = snap.version;
    }
    return this.table;
  }

  src(rel: string): string {
    return rel === '' ? this.o.source : this.o.source + '/' + rel;
  }

  where(rel: string): string {
    return join(this.o.shownAt ?? this.o.mountpoint, rel);
  }

  /** The process behind the current request. */
  pid(): number {
    return this.fuse?.callerPid ?? 0;
  }

  memHandle(rel: string, content: Buffer, decoy?: DecoyEntry): number {
    const fh = this.nextMemFh++;
    if (this.nextMemFh >= 0x7fffffff) this.nextMemFh = MEM_FH_BASE;
    this.handles.set(fh, { kind: 'mem', rel, content, decoy });
    return fh;
  }

  /** Folders that exist only virtually become real when something is created in them. */
  materializeParent(rel: string): void {
    const parent = parentOf(rel);
    if (parent !== '' && this.decoys().isDecoyDir(parent)) mkdirSync(this.src(parent), { recursive: true, mode: 0o755 });
  }

  /** Open handles follow a rename so later writes are judged at the new place. */
  renameHandles(from: string, to: string): void {
    for (const h of this.handles.values()) {
      if (isWithin(h.rel, from)) h.rel = to + h.rel.slice(from.length);
    }
  }

  /** In a read-only view, refuse a change at rel (EROFS and a write.refused event); true when refused. */
  refuseIfReadOnly(rel: string, cb: (code: number) => void, op?: 'mkdir'): boolean {
    const j = this.readOnly(rel, op);
    if (!j) return false;
    this.events.answer([j], this.pid(), EROFS, cb, () => undefined);
    return true;
  }

  // ---------------------------------------------------------------- judgements

  /** A decoy touched as a whole: opened (alert, the trap springing) or written, moved, removed (denied). */
  decoyTouch(d: DecoyEntry, rel: string, verdict: 'alert' | 'deny', message: string): Judged {
    const fire = wholeFire(d.canary, fingerprintOf(d));
    const decision: Decision = { verdict, fires: [fire], reason: message };
    return { decision, where: this.where(rel), ...(verdict === 'alert' ? { kind: 'canary.read' as const } : {}) };
  }

  private failClosed(rel: string, op: string): Judged {
    const snap = this.o.ctx.snapshot();
    const why = snap.error ? snap.error.message : 'no canary matcher loaded';
    return { decision: failClosed(`${op} denied: cannot check for canaries (${why})`, why), where: this.where(rel) };
  }

  private matcherOrNull(): Matcher | null {
    const snap = this.o.ctx.snapshot();
    return snap.error || !snap.matcher ? null : snap.matcher;
  }

  /** The zone's rule for hits that land at rel (a file with a name outside the zone is outside too). */
  private zoned(hits: Hit[], rel: string, op: string, detail: Judged['detail'], aliased = false): Judged {
    const inZone = this.o.zone.contains(rel) && !aliased;
    const agentState = this.o.agentState !== undefined && this.o.agentState.contains(rel) && !this.o.agentState.wholeMount;
    const decision = zoneDecision(hits, this.o.ctx.snapshot().canaries, { inZone, policy: this.o.zonePolicy, op, agentState });
    return { decision, where: this.where(rel), detail: { op, inZone, ...detail }, ...(agentState && inZone ? { kind: 'canary.persisted' as const } : {}) };
  }

  /** A read-only view refuses every change outside its writable paths (EROFS), saying so in the log. */
  readOnly(rel: string, op?: 'mkdir'): Judged | null {
    if (!this.o.readOnlyOutsideZone || this.o.zone.contains(rel)) return null;
    // The folders leading to a writable path may be made (mkdir -p ~/.cache/pip before anything exists).
    if (op === 'mkdir' && this.o.zone.paths.some((z) => isWithin(z, rel))) return null;
    return {
      decision: { verdict: 'deny', fires: [], reason: `write outside the session's writable paths refused (read-only): ${this.where(rel)}` },
      where: this.where(rel),
      kind: 'write.refused',
    };
  }

  private allowed(rel: string): Judged {
    return { decision: ALLOW, where: this.where(rel) };
  }

  /** A new name (create, mkdir, symlink, rename/link destination) can carry a token too. */
  judgeName(rel: string, op: string, extra?: string): Judged {
    const m = this.matcherOrNull();
    if (!m) return this.failClosed(rel, op);
    if (m.targetCount === 0) return this.allowed(rel);
    const hits = m.scan(extra === undefined ? rel : rel + '\n' + extra);
    return this.zoned(hits, rel, op, { in: extra === undefined ? 'name' : 'name-or-target' });
  }

  /** A write of data at pos into fd, judged together with the bytes around it already in the file. */
  judgeWrite(rel: string, fd: number, data: Buffer, pos: number, op = 'write'): Judged {
    const m = this.matcherOrNull();
    if (!m) return this.failClosed(rel, op);
    if (m.targetCount === 0) return this.allowed(rel);
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
    if (hits.length === 0) return this.allowed(rel);
    const aliased = !this.o.zone.wholeMount && fstatSync(fd).nlink > 1;
    return this.zoned(hits, rel, op, { offset: pos, bytes: data.length, ...(aliased ? { hardLinked: true } : {}) }, aliased);
  }

  /** Whole content of a file or tree leaving the zone (rename/link). */
  judgeMoveOut(srcRel: string, dstRel: string, op: string): Judged {
    if (this.o.zone.wholeMount || !this.o.zone.contains(srcRel) || this.o.zone.contains(dstRel)) return this.allowed(dstRel);
    const m = this.matcherOrNull();
    if (!m) return this.failClosed(dstRel, op);
    if (m.targetCount === 0) return this.allowed(dstRel);
    const budget = { bytes: MOVE_SCAN_LIMIT };
    let hits: Hit[];
    try {
      hits = scanTree(m, this.src(srcRel), budget);
    } catch {
      return this.failClosed(dstRel, op);
    }
    if (budget.bytes < 0) return this.failClosed(dstRel, `${op} (content too large to scan)`);
    return this.zoned(hits, dstRel, op, { from: this.where(srcRel) });
  }
}

function scanTree(m: Matcher, abs: string, budget: { bytes: number }): Hit[] {
  const st = lstatSync(abs);
  if (st.isDirectory()) {
    const out: Hit[] = [];
    for (const name of readdirSync(abs)) {
      out.push(...scanTree(m, abs + '/' + name, budget));
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

const fpCache = new Map<string, string>();
function fingerprintOf(d: DecoyEntry): string {
  let f = fpCache.get(d.canary.value);
  if (f === undefined) fpCache.set(d.canary.value, (f = fingerprint(d.canary.value)));
  return f;
}

export function preadAll(fd: number, len: number, pos: number): Buffer {
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
