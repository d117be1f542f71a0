// One delivery attempt for one sink, by whichever process holds the sink's lock: read the cursor, send the events
// after it in order (filtered by severity, thinned by the rate limit except for critical ones), move the cursor
// after each batch the receiver took, and on failure record the error and when to try again.
import { severityOf, severityRank } from '../../core/severity.js';
import type { SinkConfig } from '../../core/sink-config.js';
import { StoreLockTimeoutError } from '../../core/errors.js';
import { acquireLock } from '../../store/lock.js';
import type { GrithEvent } from '../types.js';
import { toAlert, type OutgoingAlert, type PayloadNet } from './alert.js';
import { ensureSinksDir, readCursor, sinkLockPath, writeCursor, type SinkCursor } from './cursor.js';
import { readSpool } from './spool.js';
import type { Transport } from '../sinks/transport.js';

/** idle: caught up with the log; more: budget spent with a backlog left; busy: another process holds the sink. */
export type DrainState = 'idle' | 'more' | 'failed' | 'busy' | 'waiting' | 'aborted';

export interface DrainResult {
  state: DrainState;
  /** Events sent in this attempt. */
  sent: number;
  cursor: SinkCursor | null;
  error?: string;
}

export interface DrainOptions {
  transport: Transport;
  net: PayloadNet;
  signal: AbortSignal;
  timeoutMs: number;
  /** Ignore the retry schedule (a new event arrived, or a person asked). Attempts stay ≥ minSpacingMs apart. */
  force: boolean;
  minSpacingMs: number;
  /** Where a sink without a stored fromSeq (a legacy webhook) starts when it has no cursor yet. */
  legacyStart: () => Promise<number>;
  backoff: { baseMs: number; maxMs: number };
  /** Stop after this long holding the lock (a long backlog continues on the next pass). */
  budgetMs: number;
}

/** A sink hears an event when it is at least as severe as its threshold; test alerts reach every sink. */
export function wants(sink: SinkConfig, e: GrithEvent): boolean {
  return e.kind === 'alert.test' || severityRank(severityOf(e.kind)) >= severityRank(sink.minSeverity);
}

export const SINK_LOCK = { timeoutMs: 0, staleMs: 120_000 };

export async function drainSink(home: string, sink: SinkConfig, o: DrainOptions): Promise<DrainResult> {
  await ensureSinksDir(home);
  let release: () => Promise<void>;
  try {
    release = await acquireLock(sinkLockPath(home, sink.id), SINK_LOCK);
  } catch (e) {
    if (e instanceof StoreLockTimeoutError) return { state: 'busy', sent: 0, cursor: null };
    throw e;
  }
  try {
    const start = sink.fromSeq > 0 ? sink.fromSeq : await o.legacyStart();
    const cursor = await readCursor(home, sink.id, start);
    const now = Date.now();
    if (o.force ? now - cursor.lastAttemptAt < o.minSpacingMs && cursor.failures > 0 : now < cursor.nextAttemptAt) {
      return { state: 'waiting', sent: 0, cursor };
    }
    return await deliverBacklog(home, sink, cursor, o);
  } finally {
    await release();
  }
}

async function deliverBacklog(home: string, sink: SinkConfig, cursor: SinkCursor, o: DrainOptions): Promise<DrainResult> {
  const until = Date.now() + o.budgetMs;
  let sent = 0;
  let dirty = false;
  while (Date.now() < until) {
    if (o.signal.aborted) return { state: 'aborted', sent, cursor };
    const spool = await readSpool(home, cursor.seq, cursor.offset, o.transport.maxBatch * 4);
    if (spool.events.length === 0) {
      if (dirty) await writeCursor(home, sink.id, cursor);
      return { state: 'idle', sent, cursor };
    }
    // Take events in order until the batch is full; unwanted and suppressed ones just move the cursor.
    const batch: OutgoingAlert[] = [];
    const saved = { bucket: { ...cursor.bucket }, suppressedTotal: cursor.suppressedTotal };
    let through = cursor.seq;
    let throughHash = cursor.hash;
    let throughEnd = cursor.offset;
    const pendingSuppressed = { n: cursor.suppressed };
    for (const { event, end } of spool.events) {
      if (batch.length >= o.transport.maxBatch) break;
      if (wants(sink, event)) {
        if (!takeToken(sink, cursor, event)) {
          pendingSuppressed.n++;
          cursor.suppressedTotal++;
        } else {
          batch.push(toAlert(event, pendingSuppressed.n));
          pendingSuppressed.n = 0;
        }
      }
      through = event.seq;
      throughHash = event.hash;
      throughEnd = end;
    }
    cursor.lastAttemptAt = Date.now();
    if (batch.length > 0) {
      try {
        await o.transport.send(batch, { net: o.net, signal: o.signal, timeoutMs: o.timeoutMs });
      } catch (e) {
        const err = e as Error & { retryAfterMs?: number };
        Object.assign(cursor, saved);
        if (o.signal.aborted) return { state: 'aborted', sent, cursor };
        cursor.failures++;
        cursor.lastError = err.message;
        const backoff = Math.min(o.backoff.maxMs, o.backoff.baseMs * 2 ** Math.min(cursor.failures - 1, 20));
        cursor.nextAttemptAt = Date.now() + Math.max(backoff * (0.8 + Math.random() * 0.4), err.retryAfterMs ?? 0);
        await writeCursor(home, sink.id, cursor);
        return { state: 'failed', sent, cursor, error: err.message };
      }
      sent += batch.length;
      cursor.delivered += batch.length;
      cursor.deliveredAt = new Date().toISOString();
    }
    cursor.seq = through;
    cursor.hash = throughHash;
    cursor.offset = throughEnd;
    cursor.suppressed = pendingSuppressed.n;
    cursor.failures = 0;
    cursor.lastError = null;
    cursor.nextAttemptAt = 0;
    dirty = true;
    // The cursor moves only after the receiver took the batch: a crash before this line repeats it, never loses it.
    await writeCursor(home, sink.id, cursor);
    dirty = false;
  }
  return { state: 'more', sent, cursor };
}

/** Token bucket for non-critical events (critical ones always go and do not wait for tokens). */
function takeToken(sink: SinkConfig, cursor: SinkCursor, e: GrithEvent): boolean {
  const rate = sink.ratePerMin;
  if (!rate) return true;
  const now = Date.now();
  const b = cursor.bucket;
  if (b.tokens < 0) {
    b.tokens = rate;
    b.at = now;
  }
  b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 60_000) * rate);
  b.at = now;
  if (severityOf(e.kind) === 'critical' || e.kind === 'alert.test') {
    b.tokens = Math.max(0, b.tokens - 1);
    return true;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  return false;
}
