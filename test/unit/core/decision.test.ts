// The one ranking of hits into fires: one fire per canary, its most telling hit (plain, then the longest encoded
// form, then a bare core), in the order the canaries were first hit; decisions built from them.
import { describe, expect, it } from 'vitest';
import { ALLOW, decide, failClosed, firesOf, terminates } from '../../../src/core/decision.js';
import type { Hit, VariantName } from '../../../src/core/matcher/types.js';
import { makeCanary } from '../../support/canaries.js';

const h = (canaryId: string, variant: VariantName, start: number, end: number): Hit => ({ canaryId, label: `l-${canaryId}`, fingerprint: `fp-${canaryId}`, variant, start, end });

describe('firesOf', () => {
  const table: Array<[string, Hit[], Array<[string, string]>]> = [
    ['plain beats a longer encoded form', [h('a', 'base64', 0, 60), h('a', 'plain', 70, 110)], [['a', 'plain']]],
    ['an encoded form beats a bare core', [h('a', 'core', 0, 36), h('a', 'hex', 40, 120)], [['a', 'hex']]],
    ['the longer of two encoded forms', [h('a', 'base64', 0, 50), h('a', 'hex', 60, 140)], [['a', 'hex']]],
    ['the longer of two cores (a whole core over its 16-character window)', [h('a', 'core', 0, 16), h('a', 'core', 20, 56)], [['a', 'core']]],
    ['one fire per canary, in first-hit order', [h('b', 'plain', 0, 40), h('a', 'hex', 50, 130), h('b', 'core', 2, 38)], [['b', 'plain'], ['a', 'hex']]],
  ];
  for (const [name, hits, want] of table) {
    it(name, () => {
      expect(firesOf(hits, []).map((f) => [f.canaryId, f.variant])).toEqual(want);
      // Same answer whatever order the hits arrive in (guards see them in different orders).
      expect(firesOf([...hits].reverse(), []).map((f) => f.variant).sort()).toEqual(want.map((w) => w[1]).sort());
    });
  }

  it('keeps the hit, and marks the canaries that end the session', () => {
    const t = makeCanary({ id: 't', terminate: true });
    const fires = firesOf([h('t', 'plain', 0, 40), h('x', 'plain', 50, 90)], [t]);
    expect(fires.map((f) => [f.canaryId, f.terminate])).toEqual([['t', true], ['x', false]]);
    expect(fires[0].hit).toEqual(h('t', 'plain', 0, 40));
  });
});

describe('decisions', () => {
  it('no hits allow; hits deny or alert with the reason built from the fires', () => {
    expect(decide([], [], 'deny', () => 'never')).toBe(ALLOW);
    const d = decide([h('a', 'plain', 0, 40)], [], 'alert', (fires) => `staged ${fires.length}`);
    expect(d).toMatchObject({ verdict: 'alert', reason: 'staged 1' });
  });

  it('only a denial of a terminate canary terminates', () => {
    const t = makeCanary({ id: 't', terminate: true });
    expect(terminates(decide([h('t', 'plain', 0, 40)], [t], 'deny', () => ''))).toBe(true);
    expect(terminates(decide([h('t', 'plain', 0, 40)], [t], 'alert', () => ''))).toBe(false);
    expect(terminates(failClosed('no store', 'why'))).toBe(false);
  });
});
