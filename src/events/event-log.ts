// The append-only, hash-chained event log at $GRITH_HOME/events.jsonl (one JSON event per line, mode 0600).
//
// Chain rule (what `verify` checks, line by line, 1-based):
//   - line n parses as a JSON object and has seq === n;
//   - prevHash === hash of line n-1, or 64 zeros ("0" x 64) for line 1;
//   - hash === hex(SHA-256(UTF-8(prevHash + canonicalJson(event without its "hash" field)))),
//     where canonicalJson is JSON with object keys sorted by UTF-16 code unit order at every depth, no whitespace,
//     and undefined-valued keys omitted (exactly JSON.stringify of the key-sorted object). The hashed object
//     includes prevHash itself, so a line cannot be moved to another place in the chain.
//   - every line, the last included, ends with "\n" (a cut-off last line is broken).
// Any edit, deletion, insertion, reordering or partial truncation therefore breaks the first affected line.
// Dropping whole lines from the end is not detectable from the file alone (a prefix of a chain is a chain).
//
// Appends are serialized across processes by the `events.lock` lock; the last line is read backwards from the
// end (never the whole file), and the new line is written with one O_APPEND write followed by fsync.
import { createHash } from 'node:crypto';
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { EventLogCorruptError, GrithError, InvalidInputError, StoreUnavailableError } from '../core/errors.js';
import { ensureHome, errText, eventsLockPath, eventsPath } from '../store/home.js';
import { withLock, type LockOptions } from '../store/lock.js';
import type { EventAction, EventInput, EventKind, GrithEvent, GuardName } from './types.js';

export const GENESIS_HASH = '0'.repeat(64);

const KINDS: readonly EventKind[] = [
  'canary.fired',
  'canary.read',
  'canary.context',
  'canary.persisted',
  'canary.added',
  'canary.rotated',
  'canary.removed',
  'guard.error',
  'guard.started',
  'guard.stopped',
];
const GUARDS: readonly GuardName[] = ['fs', 'shell', 'proxy', 'scan', 'cli'];
const ACTIONS: readonly EventAction[] = ['deny', 'alert', 'info'];
const STRING_FIELDS = ['canaryId', 'label', 'fingerprint', 'variant', 'where', 'cmdline', 'session', 'message'] as const;

/** An event would have carried a token value; nothing was written. The message names the field, never the value. */
export class SecretInEventError extends GrithError {
  readonly code = 'EVENT_HAS_SECRET';
  constructor(readonly field: string) {
    super(
      `refusing to record an event: field "${field}" contains a canary value`,
      'mask token values with maskSecrets() before building an event (this is a grith bug)',
    );
  }
}

export type VerifyResult = { ok: true; count: number } | { ok: false; line: number; reason: string };

export interface EventLogOptions {
  lock?: LockOptions;
  /** When given, append() runs assertNoSecrets against these values first (e.g. every canary value and companion). */
  secrets?: () => readonly string[];
}

export interface FollowOptions {
  /** Deliver events with seq >= fromSeq (older ones in the file included). Default: only events appended later. */
  fromSeq?: number;
  /** Poll interval in ms (default 200). */
  intervalMs?: number;
  /** A damaged line met while following (it is skipped; EventLogCorruptError), a read failure, or what onEvent threw.
   * Default: ignored. */
  onError?: (e: unknown) => void;
}

export interface EventFollower {
  /** Resolves once the starting position is fixed (and any fromSeq backlog was delivered). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export class EventLog {
  readonly home: string;
  readonly file: string;
  readonly lockPath: string;

  constructor(
    home: string,
    private readonly opts: EventLogOptions = {},
  ) {
    this.home = path.resolve(home);
    this.file = eventsPath(this.home);
    this.lockPath = eventsLockPath(this.home);
  }

  /** Validate, chain and durably append one event; returns the event as written. */
  async append(input: EventInput): Promise<GrithEvent> {
    const clean = sanitizeInput(input);
    if (this.opts.secrets) assertNoSecrets(clean, this.opts.secrets());
    await ensureHome(this.home);
    return withLock(
      this.lockPath,
      async () => {
        let fh: FileHandle;
        try {
          fh = await open(this.file, 'a+', 0o600);
        } catch (e) {
          throw new StoreUnavailableError(this.file, errText(e));
        }
        try {
          const last = await this.lastEvent(fh);
          const base = {
            ts: new Date().toISOString(),
            seq: last ? last.seq + 1 : 1,
            ...clean,
            prevHash: last ? last.hash : GENESIS_HASH,
          };
          const event: GrithEvent = { ...base, hash: eventHash(base) };
          // One write on an O_APPEND descriptor: the line lands whole at the end, after every earlier line.
          await fh.write(JSON.stringify(event) + '\n');
          await fh.sync();
          return event;
        } finally {
          await fh.close();
        }
      },
      this.opts.lock,
    );
  }

  /** Every event, in file order. Missing file: []. A damaged line: EventLogCorruptError naming it. */
  async readAll(): Promise<GrithEvent[]> {
    const text = await this.readText();
    if (text === null) return [];
    const { lines, complete } = splitLines(text);
    const out: GrithEvent[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (i === lines.length - 1 && !complete) throw new EventLogCorruptError(this.file, `line ${i + 1} is cut off`);
      const ev = parseEvent(lines[i]!);
      if (typeof ev === 'string') throw new EventLogCorruptError(this.file, `line ${i + 1}: ${ev}`);
      out.push(ev);
    }
    return out;
  }

  /** Check the whole chain (see the rule at the top of this file); names the first broken line. */
  async verify(): Promise<VerifyResult> {
    const text = await this.readText();
    if (text === null) return { ok: true, count: 0 };
    return verifyText(text);
  }

  /** Tail the log, delivering events in order. Polls every intervalMs; survives the file being created later. */
  follow(onEvent: (e: GrithEvent) => unknown, opts: FollowOptions = {}): EventFollower {
    const intervalMs = opts.intervalMs ?? 200;
    const file = this.file;
    let closed = false;
    let offset = 0;
    let lastSeq = 0;
    let fromSeq = opts.fromSeq ?? 1;
    let timer: NodeJS.Timeout | null = null;
    let running: Promise<void> = Promise.resolve();

    const pump = async (): Promise<void> => {
      let size: number;
      try {
        size = (await stat(file)).size;
      } catch {
        return; // not created yet
      }
      if (size < offset) {
        // Replaced or truncated behind our back: start over, skipping what we already delivered.
        offset = 0;
      }
      if (size === offset) return;
      const fh = await open(file, 'r');
      let buf: Buffer;
      try {
        buf = Buffer.alloc(size - offset);
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        buf = buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
      // Whole lines only; offset advances line by line, so a throwing consumer loses nothing after its event.
      for (let start = 0, nl = buf.indexOf(0x0a); nl >= 0 && !closed; start = nl + 1, nl = buf.indexOf(0x0a, start)) {
        offset += nl + 1 - start;
        const ev = parseEvent(buf.subarray(start, nl).toString('utf8'));
        if (typeof ev === 'string') {
          opts.onError?.(new EventLogCorruptError(file, `while following: ${ev}`));
          continue;
        }
        if (ev.seq < fromSeq || ev.seq <= lastSeq) continue;
        lastSeq = ev.seq;
        await onEvent(ev);
      }
    };

    const schedule = (): void => {
      if (closed) return;
      timer = setTimeout(() => {
        running = pump()
          .catch((e: unknown) => opts.onError?.(e))
          .finally(schedule);
      }, intervalMs);
    };

    const ready = (async () => {
      if (opts.fromSeq === undefined) {
        // Only what is appended from now on: everything after the current last seq. The first pump re-reads
        // the file from the start (filtering by seq), which cannot miss an append racing with this setup.
        try {
          const last = await this.lastEventUnlocked();
          fromSeq = last ? last.seq + 1 : 1;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
            // Damaged tail: we cannot tell seqs apart, so skip the existing bytes instead.
            offset = await stat(file).then(
              (s) => s.size,
              () => 0,
            );
            opts.onError?.(asGrithError(file, e));
          }
        }
      }
      running = pump().catch((e: unknown) => opts.onError?.(e));
      await running;
      schedule();
    })();

    return {
      ready,
      async close() {
        closed = true;
        if (timer) clearTimeout(timer);
        await ready.catch(() => undefined);
        await running;
      },
    };
  }

  private async readText(): Promise<string | null> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StoreUnavailableError(this.file, errText(e));
    }
  }

  private async lastEventUnlocked(): Promise<GrithEvent | null> {
    const fh = await open(this.file, 'r');
    try {
      return await this.lastEvent(fh);
    } finally {
      await fh.close();
    }
  }

  /** The last event, read backwards from the end in 4 KiB steps; null for an empty file. */
  private async lastEvent(fh: FileHandle): Promise<GrithEvent | null> {
    const line = await readLastLine(fh);
    if (line === null) return null;
    if (line === undefined) {
      throw new EventLogCorruptError(this.file, 'the last line is cut off (no newline at the end)');
    }
    const ev = parseEvent(line);
    if (typeof ev === 'string') throw new EventLogCorruptError(this.file, `the last line: ${ev}`);
    return ev;
  }
}

/**
 * The last complete line without its newline; null for an empty file; undefined when the file does not end with
 * a newline (a cut-off line). Reads only the tail of the file.
 */
export async function readLastLine(fh: FileHandle, chunkSize = 4096): Promise<string | null | undefined> {
  const size = (await fh.stat()).size;
  if (size === 0) return null;
  const tail = Buffer.alloc(1);
  await fh.read(tail, 0, 1, size - 1);
  if (tail[0] !== 0x0a) return undefined;
  const parts: Buffer[] = [];
  let pos = size - 1; // index of the final newline; the line is [start, pos)
  while (pos > 0) {
    const len = Math.min(chunkSize, pos);
    const start = pos - len;
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, start);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) {
      parts.unshift(buf.subarray(nl + 1));
      break;
    }
    parts.unshift(buf);
    pos = start;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** JSON with sorted object keys at every depth and no whitespace: the byte-stable form that gets hashed. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** hash = hex(SHA-256(prevHash + canonicalJson(event without "hash"))). */
export function eventHash(event: Omit<GrithEvent, 'hash'> | GrithEvent): string {
  const { hash: _ignored, ...rest } = event as GrithEvent;
  return createHash('sha256').update(rest.prevHash + canonicalJson(rest), 'utf8').digest('hex');
}

/** Check a whole log text against the chain rule. */
export function verifyText(text: string): VerifyResult {
  const { lines, complete } = splitLines(text);
  let prev = GENESIS_HASH;
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    if (i === lines.length - 1 && !complete) return { ok: false, line: n, reason: 'line is cut off (no newline at the end)' };
    const raw = lines[i]!;
    if (raw.trim() === '') return { ok: false, line: n, reason: 'empty line' };
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      return { ok: false, line: n, reason: 'not valid JSON' };
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return { ok: false, line: n, reason: 'not a JSON object' };
    const ev = obj as Partial<GrithEvent>;
    if (typeof ev.hash !== 'string' || typeof ev.prevHash !== 'string' || typeof ev.seq !== 'number') {
      return { ok: false, line: n, reason: 'missing seq, prevHash or hash' };
    }
    if (ev.seq !== n) return { ok: false, line: n, reason: `seq is ${ev.seq}, expected ${n} (line deleted, inserted or moved)` };
    if (ev.prevHash !== prev) return { ok: false, line: n, reason: 'prevHash does not match the previous line' };
    if (eventHash(ev as GrithEvent) !== ev.hash) return { ok: false, line: n, reason: 'hash does not match the content (line edited)' };
    prev = ev.hash;
  }
  return { ok: true, count: lines.length };
}

/** Lines of a log; `complete` is false when the text does not end with a newline (the last line is cut off). */
function splitLines(text: string): { lines: string[]; complete: boolean } {
  if (text === '') return { lines: [], complete: true };
  const complete = text.endsWith('\n');
  const lines = text.split('\n');
  if (complete) lines.pop();
  return { lines, complete };
}

/** A structurally valid event, or a reason string. (Chain checks are verify's job.) */
function parseEvent(line: string): GrithEvent | string {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return 'not a JSON object';
  const ev = obj as Partial<GrithEvent>;
  if (
    typeof ev.seq !== 'number' ||
    !Number.isInteger(ev.seq) ||
    ev.seq < 1 ||
    typeof ev.hash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(ev.hash) ||
    typeof ev.prevHash !== 'string' ||
    typeof ev.ts !== 'string' ||
    typeof ev.kind !== 'string'
  ) {
    return 'not a grith event (seq, ts, kind, prevHash or hash missing)';
  }
  return ev as GrithEvent;
}

/**
 * Copy only the known EventInput fields, checking their types, so no stray field (a raw buffer, a header map)
 * can reach the log. Throws InvalidInputError.
 */
export function sanitizeInput(input: EventInput): EventInput {
  const bad = (field: string, what: string): never => {
    throw new InvalidInputError(`invalid event: ${field} ${what}`);
  };
  if (!KINDS.includes(input.kind)) bad('kind', `must be one of ${KINDS.join(', ')}`);
  if (!GUARDS.includes(input.guard)) bad('guard', `must be one of ${GUARDS.join(', ')}`);
  if (!ACTIONS.includes(input.action)) bad('action', `must be one of ${ACTIONS.join(', ')}`);
  const out: EventInput = { kind: input.kind, guard: input.guard, action: input.action };
  for (const k of STRING_FIELDS) {
    const v = input[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') bad(k, 'must be a string');
    out[k] = v;
  }
  if (input.pid !== undefined) {
    if (!Number.isInteger(input.pid) || input.pid < 0) bad('pid', 'must be a process id');
    out.pid = input.pid;
  }
  if (input.detail !== undefined) {
    if (input.detail === null || typeof input.detail !== 'object' || Array.isArray(input.detail)) bad('detail', 'must be an object');
    const detail: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(input.detail)) {
      if (typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) {
        bad(`detail.${k}`, 'must be a string, finite number or boolean');
      }
      detail[k] = v;
    }
    out.detail = detail;
  }
  return out;
}

/**
 * Throw SecretInEventError if any string in the event (values and detail keys included) contains one of the
 * secrets verbatim. Empty secrets are ignored. Plain containment only: masking is the caller's job; this is the net.
 */
export function assertNoSecrets(event: EventInput | GrithEvent, secrets: readonly string[]): void {
  const live = secrets.filter((s) => s.length > 0);
  if (live.length === 0) return;
  const check = (field: string, s: string): void => {
    for (const secret of live) if (s.includes(secret)) throw new SecretInEventError(field);
  };
  for (const [k, v] of Object.entries(event)) {
    if (typeof v === 'string') check(k, v);
    else if (k === 'detail' && v && typeof v === 'object') {
      for (const [dk, dv] of Object.entries(v as Record<string, unknown>)) {
        check(`detail.${dk}`, dk);
        if (typeof dv === 'string') check(`detail.${dk}`, dv);
      }
    }
  }
}

function asGrithError(file: string, e: unknown): GrithError {
  return e instanceof GrithError ? e : new StoreUnavailableError(file, errText(e));
}
