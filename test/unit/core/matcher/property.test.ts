// Property tests: the streaming matcher finds exactly what a naive indexOf of every pattern finds, under any chunking.
import { describe, expect, test } from 'vitest';
import { compileMatcher, variantsOf } from '../../../../src/core/matcher/index.js';
import type { MatchTarget } from '../../../../src/core/matcher/types.js';
import { BASE62, canon, naiveHits, randInt, randString, randomCuts, rawTarget, rng, runCuts, secretTarget } from './helpers.js';

function check(targets: MatchTarget[], input: Buffer, r: () => number, maxStride?: number): number {
  const m = compileMatcher(targets, { maxStride });
  const expected = canon(naiveHits(targets, input));
  expect(canon(m.scan(input))).toEqual(expected);
  for (const maxChunk of [1, 7, 64, 1000]) {
    expect(canon(runCuts(m, input, randomCuts(r, input.length, maxChunk)))).toEqual(expected);
  }
  return expected.length;
}

/** Copy of bytes with one byte changed: must not match (unless it recreates another pattern, which the oracle knows). */
function nearMiss(r: () => number, bytes: Buffer): Buffer {
  const b = Buffer.from(bytes);
  const i = randInt(r, 0, b.length - 1);
  b[i] = (b[i] + randInt(r, 1, 255)) & 0xff;
  return b;
}

describe('matcher vs naive search', () => {
  test('tiny alphabet: dense overlapping matches of many patterns', () => {
    let found = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const r = rng(seed);
      const alphabet = seed % 2 === 0 ? 'ab' : 'abc';
      const targets = Array.from({ length: randInt(r, 1, 6) }, (_, i) =>
        rawTarget(`t${i}`, Array.from({ length: randInt(r, 1, 3) }, () => randString(r, alphabet, randInt(r, 16, 22)))),
      );
      const pats = targets.flatMap((t) => t.cores);
      // Whole patterns, pieces of patterns and noise, so matches overlap, abut and almost happen.
      let text = '';
      const size = randInt(r, 0, 1500);
      while (text.length < size) {
        const p = pats[randInt(r, 0, pats.length - 1)];
        const roll = r();
        if (roll < 0.4) text += p;
        else if (roll < 0.8) text += p.slice(randInt(r, 0, p.length), randInt(r, 0, p.length));
        else text += randString(r, alphabet, randInt(r, 1, 8));
      }
      const input = Buffer.from(text, 'latin1');
      found += check(targets, input, r, [1, 3, 8, undefined][seed % 4]);
    }
    expect(found).toBeGreaterThan(2000);
  });

  test('random secrets, their encoded forms and near-misses planted in text and random bytes', () => {
    let found = 0;
    for (let seed = 1000; seed < 1120; seed++) {
      const r = rng(seed);
      const targets = Array.from({ length: randInt(r, 1, 5) }, (_, i) => {
        const prefix = ['', 'ghp_', 'sk-', 'xoxb-', 'AKIA'][randInt(r, 0, 4)];
        const secret = prefix + randString(r, BASE62 + (r() < 0.3 ? '+/=' : ''), randInt(r, 16, 48));
        const cores = r() < 0.5 ? [secret.slice(prefix.length, prefix.length + randInt(r, 16, 24))] : [];
        return secretTarget(`c${i}`, secret, cores);
      });
      const parts: Buffer[] = [];
      for (let k = randInt(r, 1, 12); k > 0; k--) {
        const kind = r();
        if (kind < 0.3) parts.push(Buffer.from(randString(r, BASE62 + ' \n.,:"{}', randInt(r, 0, 300)), 'latin1'));
        else if (kind < 0.45) parts.push(Buffer.from(Array.from({ length: randInt(r, 0, 300) }, () => randInt(r, 0, 255))));
        else {
          const t = targets[randInt(r, 0, targets.length - 1)];
          const vs = variantsOf(t.secrets[0]);
          const v = vs[randInt(r, 0, vs.length - 1)].bytes;
          parts.push(kind < 0.8 ? v : nearMiss(r, v));
        }
      }
      found += check(targets, Buffer.concat(parts), r, [2, 13, undefined][seed % 3]);
    }
    expect(found).toBeGreaterThan(200);
  });

  test('random Unicode patterns in random bytes with planted copies', () => {
    let found = 0;
    for (let seed = 5000; seed < 5100; seed++) {
      const r = rng(seed);
      const chars = () => String.fromCharCode(...Array.from({ length: randInt(r, 6, 20) }, () => randInt(r, 1, 0x7ff)));
      const targets = Array.from({ length: randInt(r, 1, 4) }, (_, i) => rawTarget(`u${i}`, [chars(), chars()]));
      const pats = targets.flatMap((t) => t.cores).map((s) => Buffer.from(s, 'utf8'));
      const parts: Buffer[] = [];
      for (let k = randInt(r, 1, 10); k > 0; k--) {
        parts.push(Buffer.from(Array.from({ length: randInt(r, 0, 80) }, () => randInt(r, 0, 255))));
        const p = pats[randInt(r, 0, pats.length - 1)];
        parts.push(r() < 0.7 ? p : nearMiss(r, p));
      }
      found += check(targets, Buffer.concat(parts), r, [1, 4, undefined][seed % 3]);
    }
    expect(found).toBeGreaterThan(100);
  });
});
