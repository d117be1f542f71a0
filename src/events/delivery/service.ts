// Alert delivery inside one grith process (design: ../DESIGN.md). The log is the spool; each sink has a cursor and a
// lock, so whichever process gets the lock delivers that sink's backlog in order and the others skip it. Any
// append in this process kicks a pass (onAppend); a long-lived guard also retries on a timer. Nothing here is
// awaited by a guard's decision, and no socket or timer of it keeps a process alive.
import type { Matcher } from '../../core/matcher/types.js';
import type { SinkConfig } from '../../core/sink-config.js';
import { appendedInThisProcess, onAppend } from '../event-log.js';
import { transportFor } from '../sinks/index.js';
import { loadSinks } from './config.js';
import { drainSink, type DrainResult } from './drain.js';
import { StoreNet } from './net.js';
import { readSpool } from './spool.js';

export interface DeliveryOptions {
  /** The guard's live matcher, used as the payload net (default: compiled from the store). */
  matcher?: () => Matcher | null;
  /** Retry on a timer while a sink lags (long-lived guards). */
  keepRetrying?: boolean;
  timeoutMs?: number;
  backoff?: { baseMs: number; maxMs: number };
}

export type PassResults = Map<string, { sink: SinkConfig; result: DrainResult }>;

const MIN_SPACING_MS = 1000;

/** Retries back off 1 s, 2 s, 4 s … up to a minute; GRITH_ALERT_RETRY_MAX_MS lowers (or raises) that ceiling. */
export function defaultBackoff(env: NodeJS.ProcessEnv = process.env): { baseMs: number; maxMs: number } {
  const max = Number(env.GRITH_ALERT_RETRY_MAX_MS);
  return { baseMs: 1000, maxMs: Number.isFinite(max) && max >= 100 ? max : 60_000 };
}

export class DeliveryService {
  private static readonly byHome = new Map<string, DeliveryService>();

  /** The one service of this process for home (options of later calls switch on retrying / set the matcher). */
  static for(home: string, opts: DeliveryOptions = {}): DeliveryService {
    let s = DeliveryService.byHome.get(home);
    if (!s) {
      s = new DeliveryService(home, opts);
      DeliveryService.byHome.set(home, s);
    } else {
      if (opts.keepRetrying) s.keepRetrying = true;
      if (opts.matcher) s.net = new StoreNet(home, opts.matcher);
    }
    return s;
  }

  private sinks: SinkConfig[] | null = null;
  private net: StoreNet;
  private keepRetrying: boolean;
  private readonly abort = new AbortController();
  private running: Promise<PassResults> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;
  /** First and last seq this process appended to this home's log. */
  firstSeq: number | null = null;
  lastSeq = 0;
  /** The most recent pass's results, by sink id. */
  last: PassResults = new Map();

  private constructor(
    readonly home: string,
    private readonly opts: DeliveryOptions,
  ) {
    this.net = new StoreNet(home, opts.matcher);
    this.keepRetrying = Boolean(opts.keepRetrying);
    this.unsubscribe = onAppend((h, e) => {
      if (h !== this.home) return;
      this.firstSeq ??= e.seq;
      this.lastSeq = Math.max(this.lastSeq, e.seq);
      this.kick();
    });
  }

  /** Re-read the sink list from the store (on a store change). */
  async refresh(): Promise<void> {
    try {
      this.sinks = await loadSinks(this.home);
    } catch {
      // A bad store is the guards' business; keep delivering to the sinks last known.
      this.sinks ??= [];
    }
  }

  /** Start a pass soon (coalesced with one already running). Never throws, never awaited by a guard. */
  kick(): void {
    void this.pass(true).catch(() => undefined);
  }

  /** One attempt per sink, all sinks side by side; force: ignore the retry schedule (≥ 1 s between attempts). */
  pass(force: boolean): Promise<PassResults> {
    if (this.running) {
      this.again ||= force;
      return this.running;
    }
    this.running = (async () => {
      try {
        await this.refresh();
        const sinks = this.sinks ?? [];
        const net = await this.net.current();
        const results: PassResults = new Map();
        await Promise.all(
          sinks.map(async (sink) => {
            const result = await drainSink(this.home, sink, {
              transport: transportFor(sink),
              net,
              signal: this.abort.signal,
              timeoutMs: this.opts.timeoutMs ?? 10_000,
              force,
              minSpacingMs: MIN_SPACING_MS,
              legacyStart: async () =>
                this.firstSeq ?? appendedInThisProcess().get(this.home)?.first ?? (await readSpool(this.home, Number.MAX_SAFE_INTEGER, 0, 0)).head + 1,
              backoff: this.opts.backoff ?? defaultBackoff(),
              budgetMs: 20_000,
            }).catch((e: unknown): DrainResult => ({ state: 'failed', sent: 0, cursor: null, error: (e as Error).message }));
            results.set(sink.id, { sink, result });
          }),
        );
        this.last = results;
        return results;
      } finally {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.schedule();
      }
    })();
    return this.running;
  }

  /** Long-lived processes: come back when the earliest lagging sink may be tried again. */
  private schedule(): void {
    if (!this.keepRetrying || this.abort.signal.aborted) return;
    let wake = Infinity;
    for (const { result } of this.last.values()) {
      if (result.state === 'more') wake = Math.min(wake, 0);
      else if (result.state === 'busy') wake = Math.min(wake, 2000);
      else if (result.state === 'failed' || result.state === 'waiting') {
        wake = Math.min(wake, Math.max(0, (result.cursor?.nextAttemptAt ?? Date.now() + 5000) - Date.now()));
      }
    }
    if (!Number.isFinite(wake)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pass(false).catch(() => undefined), Math.max(50, wake));
    this.timer.unref();
  }

  /** Stop: abort attempts in flight (their events stay in the spool for the next deliverer). */
  close(): void {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribe();
    if (DeliveryService.byHome.get(this.home) === this) DeliveryService.byHome.delete(this.home);
  }
}
