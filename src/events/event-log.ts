// The append-only, hash-chained event log at $GRITH_HOME/events.jsonl (one JSON event per line, mode 0600).
//
// The chain rule (keyed HMAC lines, legacy SHA-256 prefix) is in chain.ts; the signed head checkpoint that shows a
// cut tail is in checkpoint.ts; `verify` (verify.ts) checks both. Appends are serialized across processes by the
// `events.lock` lock; the last line is read backwards from the end (never the whole file), the new line is written
// with one O_APPEND write followed by fsync, and the checkpoint is rewritten before the lock is released.
// Every append is announced to this process's listeners (onAppend): that is how alert delivery gets kicked.
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { EventLogCorruptError, GrithError, StoreUnavailableError } from '../core/errors.js';
import { ensureHome, errText, eventsLockPath, eventsPath } from '../store/home.js';
import { withLock, type LockOptions } from '../store/lock.js';
import { loadOrCreateChainKey } from './chain-key.js';
import { GENESIS_HASH, keyedEventHash, splitLines } from './chain.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { assertNoSecrets, sanitizeInput } from './event-input.js';
import type { EventInput, GrithEvent } from './types.js';
import { verifyEventLog, type VerifyReport } from './verify.js';

export { canonicalJson, eventHash, GENESIS_HASH } from './chain.js';
export { assertNoSecrets, sanitizeInput, SecretInEventError } from './event-input.js';

type AppendListener = (home: string, event: GrithEvent) => void;
const appendListeners = new Set<AppendListener>();
const appended = new Map<string, { first: number; last: number }>();

/** Every home this process appended to, with the first and last seq it wrote there. */
export function appendedInThisProcess(): ReadonlyMap<string, { first: number; last: number }> {
  return appended;
}

/** Hear every event this process appends (any EventLog, any home). Returns an unsubscribe function. */
export function onAppend(cb: AppendListener): () => void {
  appendListeners.add(cb);
  return () => void appendListeners.delete(cb);
}

export type VerifyResult = VerifyReport;

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

  /** Validate, chain (keyed), durably append one event and move the signed checkpoint; returns the event as written. */
  async append(input: EventInput): Promise<GrithEvent> {
    const clean = sanitizeInput(input);
    if (this.opts.secrets) assertNoSecrets(clean, this.opts.secrets());
    await ensureHome(this.home);
    const event = await withLock(
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
          const key = await loadOrCreateChainKey(this.home);
          const base = {
            ts: new Date().toISOString(),
            seq: last ? last.seq + 1 : 1,
            ...clean,
            kid: key.kid,
            prevHash: last ? last.hash : GENESIS_HASH,
          };
          const written: GrithEvent = { ...base, hash: keyedEventHash(base, key.key) };
          // One write on an O_APPEND descriptor: the line lands whole at the end, after every earlier line.
          await fh.write(JSON.stringify(written) + '\n');
          await fh.sync();
          const keyedFrom = await this.keyedFrom(last, written.seq, key.kid);
          await writeCheckpoint(this.home, key, { seq: written.seq, hash: written.hash, keyedFrom });
          return written;
        } finally {
          await fh.close();
        }
      },
      this.opts.lock,
    );
    const mine = appended.get(this.home);
    appended.set(this.home, { first: mine?.first ?? event.seq, last: Math.max(mine?.last ?? 0, event.seq) });
    for (const cb of appendListeners) {
      try {
        cb(this.home, event);
      } catch {
        // a listener's failure is its own business; the event is recorded
      }
    }
    return event;
  }

  /** seq of the first keyed line, for the checkpoint: carried over from the last checkpoint when it is ours. */
  private async keyedFrom(last: GrithEvent | null, seq: number, kid: string): Promise<number> {
    if (!last || last.kid === undefined) return seq;
    const cp = await readCheckpoint(this.home);
    if (cp.state === 'ok' && cp.checkpoint.kid === kid && cp.checkpoint.seq < seq) return cp.checkpoint.keyedFrom;
    // No usable checkpoint (deleted, or a new key): find the first keyed line the slow way. verify reports why.
    const first = (await this.readAll()).find((e) => e.kid !== undefined);
    return first?.seq ?? seq;
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

  /** Check the whole chain and the signed checkpoint; names the first broken line or the cut tail. */
  async verify(): Promise<VerifyResult> {
    return verifyEventLog(this.home);
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

function asGrithError(file: string, e: unknown): GrithError {
  return e instanceof GrithError ? e : new StoreUnavailableError(file, errText(e));
}
