// A GuardContext for fs tests: real matcher over in-memory canaries, events captured in an array, error injection.
import type { Canary } from '../../../src/core/canary.js';
import type { GrithError } from '../../../src/core/errors.js';
import { getFormat } from '../../../src/core/formats/index.js';
import { compileMatcher } from '../../../src/core/matcher/index.js';
import { toTargets } from '../../../src/core/targets.js';
import type { EventInput } from '../../../src/events/types.js';
import type { CanarySnapshot, GuardContext } from '../../../src/guards/guard-context.js';

let n = 0;

export function makeCanary(format: string, decoys: string[] = [], label = `test-${++n}`): Canary {
  const tok = getFormat(format).generate();
  return {
    id: `c${Date.now().toString(36)}${(++n).toString(36)}`,
    label,
    format,
    value: tok.value,
    ...(tok.companions ? { companions: tok.companions } : {}),
    placements: decoys.map((rel) => ({ kind: 'decoy' as const, rel })),
    createdAt: new Date(Date.now() - 3_600_000).toISOString(),
    rotatedAt: null,
    terminate: false,
    fires: 0,
    lastFiredAt: null,
  };
}

export class TestContext implements GuardContext {
  readonly events: EventInput[] = [];
  private snap: CanarySnapshot = { matcher: null, canaries: [], version: 0 };
  private readonly listeners = new Set<() => void>();

  constructor(canaries: Canary[] = []) {
    this.set(canaries);
  }

  set(canaries: Canary[]): void {
    this.snap = { matcher: compileMatcher(toTargets(canaries)), canaries, version: this.snap.version + 1 };
    for (const l of this.listeners) l();
  }

  fail(error: GrithError): void {
    this.snap = { matcher: null, canaries: [], version: this.snap.version + 1, error };
    for (const l of this.listeners) l();
  }

  snapshot(): CanarySnapshot {
    return this.snap;
  }

  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  record(event: EventInput): void {
    this.events.push(event);
  }

  /** Events recorded so far that match, waiting up to timeoutMs for at least `count` of them. */
  async waitFor(pred: (e: EventInput) => boolean, count = 1, timeoutMs = 3000): Promise<EventInput[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const got = this.events.filter(pred);
      if (got.length >= count || Date.now() > end) return got;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
