// A sink's progress through the log: $GRITH_HOME/sinks/<id>.json holds the last delivered seq (and its hash and byte
// offset, to resume without rereading the log), the retry state and the rate-limit bucket. Written atomically, only
// by the process holding the sink's lock, so the cursor only ever moves forward over what was really delivered.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../store/atomic-write.js';
import { ensureHome } from '../../store/home.js';
import { mkdir } from 'node:fs/promises';

export interface SinkCursor {
  v: 1;
  /** Every event with seq <= this was delivered, skipped by the sink's filter or suppressed. */
  seq: number;
  /** hash of the line at seq when it was passed (null before the first). */
  hash: string | null;
  /** Byte offset in events.jsonl just after the line at seq (a hint; checked before use). */
  offset: number;
  deliveredAt: string | null;
  /** Events actually sent. */
  delivered: number;
  lastAttemptAt: number;
  lastError: string | null;
  /** Consecutive failed attempts. */
  failures: number;
  /** No timer-driven attempt before this (ms since epoch). */
  nextAttemptAt: number;
  /** Non-critical events dropped by the rate limit since the last one sent (reported with the next). */
  suppressed: number;
  suppressedTotal: number;
  bucket: { tokens: number; at: number };
}

export function sinksDir(home: string): string {
  return path.join(home, 'sinks');
}

export function cursorPath(home: string, sinkId: string): string {
  return path.join(sinksDir(home), `${sinkId}.json`);
}

export function sinkLockPath(home: string, sinkId: string): string {
  return path.join(sinksDir(home), `${sinkId}.lock`);
}

export function freshCursor(fromSeq: number): SinkCursor {
  return {
    v: 1,
    seq: Math.max(0, fromSeq - 1),
    hash: null,
    offset: 0,
    deliveredAt: null,
    delivered: 0,
    lastAttemptAt: 0,
    lastError: null,
    failures: 0,
    nextAttemptAt: 0,
    suppressed: 0,
    suppressedTotal: 0,
    bucket: { tokens: -1, at: 0 },
  };
}

/** The stored cursor, or a fresh one at fromSeq when there is none (a damaged file also restarts at fromSeq:
 * at-least-once prefers a repeat to a loss). */
export async function readCursor(home: string, sinkId: string, fromSeq: number): Promise<SinkCursor> {
  try {
    const o = JSON.parse(await readFile(cursorPath(home, sinkId), 'utf8')) as Partial<SinkCursor>;
    if (o.v === 1 && Number.isInteger(o.seq) && Number.isInteger(o.offset)) return { ...freshCursor(fromSeq), ...o } as SinkCursor;
  } catch {
    // absent or damaged
  }
  return freshCursor(fromSeq);
}

export async function writeCursor(home: string, sinkId: string, c: SinkCursor): Promise<void> {
  await ensureSinksDir(home);
  await writeFileAtomic(cursorPath(home, sinkId), JSON.stringify(c) + '\n', 0o600);
}

export async function ensureSinksDir(home: string): Promise<void> {
  await ensureHome(home);
  await mkdir(sinksDir(home), { recursive: true, mode: 0o700 });
}
