// The hold-back gate: what leaves never contains a whole pattern, however the bytes are split or paced.
import { describe, expect, it } from 'vitest';
import { partialPrefixesFor, PREFIX_LEN } from '../../../../src/guards/proxy/partial-prefixes.js';
import { StreamGate } from '../../../../src/guards/proxy/stream-gate.js';
import { makeCanary, matcherFor, variantBytes } from '../../../support/canaries.js';

const canary = makeCanary({ id: 'c1' });
const others = Array.from({ length: 20 }, (_, i) => makeCanary({ id: `o${i}` }));
const all = [canary, ...others];
const matcher = matcherFor(all);

function containsAny(out: Buffer, needles: Buffer[]): boolean {
  return needles.some((n) => out.includes(n));
}

describe('StreamGate', () => {
  it('releases everything clean once the stream ends, in order', () => {
    const g = new StreamGate(matcher);
    const text = Buffer.from('hello world, this is an ordinary body '.repeat(50));
    const out: Buffer[] = [];
    for (let i = 0; i < text.length; i += 7) {
      expect(g.push(text.subarray(i, i + 7))).toEqual([]);
      out.push(g.release());
    }
    g.end();
    out.push(g.release());
    expect(Buffer.concat(out).equals(text)).toBe(true);
    expect(g.heldBytes).toBe(0);
  });

  it.each([1, 2, 3, 5, 16, 4096])('a canary fed %i bytes at a time never leaves whole', (step) => {
    for (const v of variantBytes(canary)) {
      const g = new StreamGate(matcher);
      const body = Buffer.concat([Buffer.from('x='.repeat(40)), v, Buffer.from('&tail')]);
      const out: Buffer[] = [];
      let hit = false;
      for (let i = 0; i < body.length && !hit; i += step) {
        hit = g.push(body.subarray(i, i + step)).length > 0;
        if (!hit) out.push(g.release());
      }
      expect(hit).toBe(true);
      expect(containsAny(Buffer.concat(out), variantBytes(canary))).toBe(false);
    }
  });

  it('idle release lets ordinary tails go but stops a dripped canary before PREFIX_LEN bytes', () => {
    const prefixes = partialPrefixesFor(matcher, all);
    const g = new StreamGate(matcher, prefixes);
    const msg = Buffer.from('{"type":"ping","n":12345}');
    g.push(msg);
    expect(Buffer.concat([g.release(), g.releaseIdle()]).equals(msg)).toBe(true);

    const value = Buffer.from(canary.value);
    const out: Buffer[] = [];
    let hit = false;
    for (let i = 0; i < value.length && !hit; i++) {
      hit = g.push(value.subarray(i, i + 1)).length > 0;
      if (!hit) out.push(g.release(), g.releaseIdle()); // the client pauses after every byte
    }
    expect(hit).toBe(true);
    const leaked = Buffer.concat(out).subarray(msg.length);
    expect(leaked.length).toBeLessThan(PREFIX_LEN);
  });
});
