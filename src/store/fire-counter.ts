// Every guard's fires counted in the store (`fires`, `lastFiredAt` of each canary): batched, written through the
// store's lock in the background, never in the way of a decision. A count that cannot be written is only a count:
// the event log still holds every fire.
import { CanaryStore } from './canary-store.js';

/** How long fires gather before one locked write. */
const BATCH_MS = 1000;

export class FireCounter {
  private readonly pending = new Map<string, { n: number; last: string }>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly home: string) {}

  count(canaryId: string, at: string): void {
    const p = this.pending.get(canaryId);
    this.pending.set(canaryId, { n: (p?.n ?? 0) + 1, last: p && p.last > at ? p.last : at });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), BATCH_MS);
      this.timer.unref();
    }
  }

  /** Write what has gathered (and wait for a write under way). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return this.writing;
    const batch = new Map(this.pending);
    this.pending.clear();
    this.writing = this.writing.then(() => this.write(batch)).catch(() => undefined);
    return this.writing;
  }

  private async write(batch: ReadonlyMap<string, { n: number; last: string }>): Promise<void> {
    const store = await CanaryStore.open(this.home, { create: false });
    await store.update((doc) => {
      for (const c of doc.canaries) {
        const b = batch.get(c.id);
        if (!b) continue;
        c.fires += b.n;
        if (!c.lastFiredAt || b.last > c.lastFiredAt) c.lastFiredAt = b.last;
      }
    });
  }
}
