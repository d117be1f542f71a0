// Test double for the shell guard's tests: a naive Matcher (plain, random core, base64 of the value) and a GuardContext.
import type { Canary } from '../../src/core/canary.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import type { Hit, Matcher, MatchStream, VariantName } from '../../src/core/matcher/types.js';
import type { CanarySnapshot, GuardContext } from '../../src/guards/guard-context.js';
import type { EventInput } from '../../src/events/types.js';

interface Pattern {
  bytes: Buffer;
  variant: VariantName;
  canary: Canary;
}

export function naiveMatcher(canaries: Canary[]): Matcher {
  const patterns: Pattern[] = [];
  for (const c of canaries) {
    patterns.push({ bytes: Buffer.from(c.value), variant: 'plain', canary: c });
    patterns.push({ bytes: Buffer.from(Buffer.from(c.value).toString('base64').replace(/=+$/, '')), variant: 'base64', canary: c });
    const core = c.value.replace(/^[a-z]+_/, '');
    if (core !== c.value && core.length >= 16) patterns.push({ bytes: Buffer.from(core), variant: 'core', canary: c });
  }
  const scan = (input: Uint8Array | string): Hit[] => {
    const buf = typeof input === 'string' ? Buffer.from(input) : Buffer.from(input);
    const hits: Hit[] = [];
    for (const p of patterns) {
      for (let at = buf.indexOf(p.bytes); at >= 0; at = buf.indexOf(p.bytes, at + 1)) {
        hits.push({
          canaryId: p.canary.id,
          label: p.canary.label,
          fingerprint: fingerprint(p.canary.value),
          variant: p.variant,
          start: at,
          end: at + p.bytes.length,
        });
      }
    }
    return hits;
  };
  return {
    targetCount: canaries.length,
    patternCount: patterns.length,
    maxPatternLength: Math.max(1, ...patterns.map((p) => p.bytes.length)),
    scan,
    stream(): MatchStream {
      throw new Error('naive matcher: no streaming');
    },
  };
}

export function testCanary(over: Partial<Canary> & { id: string; value: string }): Canary {
  return {
    label: `label-${over.id}`,
    format: 'github-pat',
    placements: [],
    createdAt: '2024-01-01T00:00:00.000Z',
    rotatedAt: null,
    terminate: false,
    fires: 0,
    lastFiredAt: null,
    ...over,
  };
}

export interface RecordingContext extends GuardContext {
  events: EventInput[];
  setSnapshot(s: Partial<CanarySnapshot>): void;
}

export function naiveContext(canaries: Canary[]): RecordingContext {
  let snap: CanarySnapshot = { matcher: naiveMatcher(canaries), canaries, version: 1 };
  const events: EventInput[] = [];
  return {
    events,
    session: 'test-session',
    snapshot: () => snap,
    onChange: () => () => {},
    record: (e) => {
      events.push(e);
    },
    setSnapshot(s) {
      snap = { ...snap, ...s, version: snap.version + 1 };
    },
  };
}
