// Canaries, a real compiled matcher and an in-memory GuardContext for the proxy tests.
import type { Canary } from '../../src/core/canary.js';
import { getFormat } from '../../src/core/formats/index.js';
import { compileMatcher, variantsOf } from '../../src/core/matcher/index.js';
import type { Matcher } from '../../src/core/matcher/types.js';
import { toTargets } from '../../src/core/targets.js';
import type { GrithError } from '../../src/core/errors.js';
import type { EventInput } from '../../src/events/types.js';
import type { CanarySnapshot, GuardContext } from '../../src/guards/guard-context.js';

export function proxyCanary(id: string, format = 'github-pat'): Canary {
  const token = getFormat(format).generate();
  return {
    id,
    label: `label-${id}`,
    format,
    value: token.value,
    ...(token.companions ? { companions: token.companions } : {}),
    placements: [],
    createdAt: '2024-01-01T00:00:00.000Z',
    rotatedAt: null,
    terminate: false,
    fires: 0,
    lastFiredAt: null,
  };
}

export function matcherFor(canaries: Canary[]): Matcher {
  return compileMatcher(toTargets(canaries));
}

/** Every encoded form of the canary's value the matcher knows (to assert none reached an upstream). */
export function variantBytes(c: Canary): Buffer[] {
  return variantsOf(c.value).map((v) => v.bytes);
}

export class TestGuardContext implements GuardContext {
  events: EventInput[] = [];
  private snap: CanarySnapshot;
  private readonly listeners = new Set<() => void>();

  constructor(canaries: Canary[]) {
    this.snap = { matcher: matcherFor(canaries), canaries, version: 1 };
  }

  snapshot(): CanarySnapshot {
    return this.snap;
  }

  set(canaries: Canary[]): void {
    this.snap = { matcher: matcherFor(canaries), canaries, version: this.snap.version + 1 };
    for (const l of this.listeners) l();
  }

  fail(error: GrithError): void {
    this.snap = { matcher: null, canaries: [], version: this.snap.version + 1, error };
    for (const l of this.listeners) l();
  }

  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  record(event: EventInput): void {
    this.events.push(event);
  }
}
