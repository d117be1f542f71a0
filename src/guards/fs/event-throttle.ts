// How many events a mount records when a program loops: a denied write retried forever, a decoy read in a loop or
// a broken store must not flood the log (or grow the queue of events waiting to be written).
import type { EventInput } from '../../events/types.js';

/** Events of one kind for one place and process per second before the rest are only counted. */
const BURST = 5;
/** A fail-closed guard.error with the same message, at most once in this long. */
const ERROR_EVERY_MS = 5000;
/** canary.read per (process, canary), at most once in this long: an agent opens a file many times in one look. */
const READ_EVERY_MS = 10_000;
const MAX_KEYS = 10_000;

export class EventThrottle {
  private readonly buckets = new Map<string, { start: number; count: number; suppressed: number }>();
  private readonly errorSeen = new Map<string, number>();
  private readonly readSeen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The event to record (carrying how many like it were held back before it), or null to hold this one back. */
  admit(e: EventInput, pid: number): EventInput | null {
    const now = this.now();
    if (e.kind === 'guard.error') {
      const key = e.message ?? '';
      if ((this.errorSeen.get(key) ?? -Infinity) + ERROR_EVERY_MS > now) return null;
      this.errorSeen.set(key, now);
      if (this.errorSeen.size > MAX_KEYS) this.errorSeen.clear();
      return e;
    }
    const key = `${e.kind}\0${e.action}\0${e.canaryId ?? ''}\0${e.where ?? ''}\0${pid}`;
    let b = this.buckets.get(key);
    if (!b || now - b.start >= 1000) {
      const suppressed = b?.suppressed ?? 0;
      b = { start: now, count: 1, suppressed: 0 };
      this.buckets.set(key, b);
      if (this.buckets.size > MAX_KEYS) this.buckets.clear();
      return suppressed > 0 ? { ...e, detail: { ...e.detail, suppressedBefore: suppressed } } : e;
    }
    if (b.count < BURST) {
      b.count++;
      return e;
    }
    b.suppressed++;
    return null;
  }

  /** First read of this canary's decoy by this process in a while: the trap springs (once per window). */
  firstRead(pid: number, canaryId: string): boolean {
    const key = `${pid}\0${canaryId}`;
    const now = this.now();
    if ((this.readSeen.get(key) ?? -Infinity) + READ_EVERY_MS > now) return false;
    this.readSeen.set(key, now);
    if (this.readSeen.size > MAX_KEYS) this.readSeen.clear();
    return true;
  }
}
