// The one GuardContext double of the tests: the real matcher over in-memory canaries, events kept in an array,
// store failure injectable.
import type { Canary } from '../../src/core/canary.js';
import type { GrithError } from '../../src/core/errors.js';
import { secretsOf } from '../../src/core/targets.js';
import type { EventInput, GrithEvent } from '../../src/events/types.js';
import type { CanarySnapshot, GuardContext } from '../../src/guards/guard-context.js';
import { matcherFor } from './canaries.js';

export class TestGuardContext implements GuardContext {
  readonly events: EventInput[] = [];
  private snap: CanarySnapshot = { matcher: null, canaries: [], secrets: [], version: 0 };
  private readonly listeners = new Set<() => void>();

  constructor(
    canaries: Canary[] = [],
    readonly session?: string,
  ) {
    this.set(canaries);
  }

  /** Replace the canaries (as a store change would), recompiling the matcher. */
  set(canaries: Canary[]): void {
    this.publish({ matcher: matcherFor(canaries), canaries, secrets: canaries.flatMap(secretsOf), version: this.snap.version + 1 });
  }

  /** The store became unusable: the guard must fail closed. */
  fail(error?: GrithError): void {
    this.publish({ matcher: null, canaries: [], secrets: [], version: this.snap.version + 1, ...(error ? { error } : {}) });
  }

  snapshot(): CanarySnapshot {
    return this.snap;
  }

  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  async record(event: EventInput): Promise<GrithEvent> {
    const e = this.session && !event.session ? { ...event, session: this.session } : event;
    this.events.push(e);
    return { ...e, ts: new Date().toISOString(), seq: this.events.length, prevHash: '', hash: '' };
  }

  async flush(): Promise<void> {}

  /** Events recorded so far that match, waiting up to timeoutMs for at least `count` of them. */
  async waitFor(pred: (e: EventInput) => boolean, count = 1, timeoutMs = 3000): Promise<EventInput[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const got = this.events.filter(pred);
      if (got.length >= count || Date.now() > end) return got;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private publish(s: CanarySnapshot): void {
    this.snap = s;
    for (const l of this.listeners) l();
  }
}
