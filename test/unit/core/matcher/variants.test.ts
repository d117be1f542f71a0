// Variant generation checked against Node's own encoders: each pattern is what real encoders emit around a token.
import { describe, expect, test } from 'vitest';
import { MIN_PATTERN_LENGTH, variantsOf } from '../../../../src/core/matcher/index.js';
import { stableBase64 } from '../../../../src/core/matcher/variants.js';
import { BASE62, randInt, randString, rng } from './helpers.js';

const SECRET = 'ghp_R4nd0mT0k3nV4lu3Xy9Qp2Lm8Zt6Wv1Bc0Sa'; // 40 chars

const patternsOf = (secret: string, variant: string): string[] =>
  variantsOf(secret)
    .filter((v) => v.variant === variant)
    .map((v) => v.bytes.toString('latin1'));

describe('variantsOf', () => {
  test('names every encoding a typical token takes', () => {
    const names = new Set(variantsOf('ghp_aB3+/x9Qp2Lm8Zt6Wv1Bc0Sa~!').map((v) => v.variant));
    expect([...names].sort()).toEqual(
      [
        'plain', 'base64', 'base64url', 'hex', 'hex-upper', 'percent', 'percent-lower',
        'json-unicode', 'utf16le', 'reversed', 'base64-base64',
      ].sort(),
    );
  });

  test('plain, hex, UTF-16LE and reversed are exactly what Node produces', () => {
    expect(patternsOf(SECRET, 'plain')).toEqual([SECRET]);
    expect(patternsOf(SECRET, 'hex')).toEqual([Buffer.from(SECRET).toString('hex')]);
    expect(patternsOf(SECRET, 'hex-upper')).toEqual([Buffer.from(SECRET).toString('hex').toUpperCase()]);
    expect(patternsOf(SECRET, 'utf16le')).toEqual([Buffer.from(SECRET, 'utf16le').toString('latin1')]);
    expect(patternsOf(SECRET, 'reversed')).toEqual([[...SECRET].reverse().join('')]);
  });

  test('percent and JSON escapes of every byte, both hex cases', () => {
    const hex = [...Buffer.from(SECRET)].map((b) => b.toString(16).padStart(2, '0'));
    expect(patternsOf(SECRET, 'percent')).toEqual([hex.map((h) => `%${h.toUpperCase()}`).join('')]);
    expect(patternsOf(SECRET, 'percent-lower')).toEqual([hex.map((h) => `%${h}`).join('')]);
    expect(patternsOf(SECRET, 'json-unicode').sort()).toEqual(
      [hex.map((h) => `\\u00${h}`).join(''), hex.map((h) => `\\u00${h.toUpperCase()}`).join('')].sort(),
    );
    // What a JSON parser makes of the escaped form is the token again.
    expect(JSON.parse(`"${patternsOf(SECRET, 'json-unicode')[0]}"`)).toBe(SECRET);
  });

  test('encodeURIComponent form of a token with reserved characters', () => {
    const aws = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    expect(patternsOf(aws, 'percent')).toContain(encodeURIComponent(aws));
    expect(patternsOf(aws, 'percent-lower')).toContain(encodeURIComponent(aws).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  });

  test('padded base64 and base64url of the token alone', () => {
    const s = 'ghp_~~~?>?>R4nd0mT0k3nV4lu3Xy9Qp2Lm8Zt6W'; // 40 % 3 = 1: '==' of padding; '~~~' and '?>' give '+' and '/'
    const padded = Buffer.from(s).toString('base64');
    expect(padded).toMatch(/[+/].*==$/);
    expect(patternsOf(s, 'base64')).toContain(padded);
    expect(patternsOf(s, 'base64url')).toContain(`${Buffer.from(s).toString('base64url')}==`);
    // Node's base64url omits padding: the unpadded form carries the stable offset-0 part.
    expect(patternsOf(s, 'base64url').some((p) => Buffer.from(s).toString('base64url').startsWith(p))).toBe(true);
  });

  test('stable base64 parts survive any bytes before and after, at every alignment', () => {
    const r = rng(7);
    for (let n = 0; n < 300; n++) {
      const token = Buffer.from(randString(r, BASE62 + '+/-_', randInt(r, 16, 60)));
      for (const enc of ['base64', 'base64url'] as const) {
        const stable = [0, 1, 2].map((k) => {
          const s = stableBase64(token, k as 0 | 1 | 2);
          return enc === 'base64' ? s : s.replace(/\+/g, '-').replace(/\//g, '_');
        });
        const before = Buffer.from(Array.from({ length: randInt(r, 0, 9) }, () => randInt(r, 0, 255)));
        const after = Buffer.from(Array.from({ length: randInt(r, 0, 3) }, () => randInt(r, 0, 255)));
        const text = Buffer.concat([before, token, after]).toString(enc);
        expect(text).toContain(stable[before.length % 3]);
        // And the stable part is as long as it can be: one more character on either side depends on other bytes.
        expect(stable[before.length % 3].length).toBe(Math.floor((8 * ((before.length % 3) + token.length)) / 6) - Math.ceil((8 * (before.length % 3)) / 6));
      }
    }
  });

  test('base64 of base64 matches padded, unpadded and newline-terminated inner encodings', () => {
    const [pattern] = patternsOf(SECRET, 'base64-base64');
    const inner = Buffer.from(SECRET).toString('base64');
    for (const innerForm of [inner, inner.replace(/=+$/, ''), `${inner}\n`]) {
      expect(Buffer.from(innerForm).toString('base64')).toContain(pattern);
    }
  });

  test('every pattern is at least 16 bytes and no two are equal', () => {
    const r = rng(11);
    for (let n = 0; n < 200; n++) {
      const vs = variantsOf(randString(r, BASE62, randInt(r, 1, 64)));
      for (const v of vs) expect(v.bytes.length).toBeGreaterThanOrEqual(MIN_PATTERN_LENGTH);
      expect(new Set(vs.map((v) => v.bytes.toString('latin1'))).size).toBe(vs.length);
    }
  });

  test('a short secret keeps only its long encodings', () => {
    const vs = variantsOf('abcdefgh'); // 8 bytes: plain, base64 and reversed are too short
    expect(vs.map((v) => v.variant)).not.toContain('plain');
    expect(vs.map((v) => v.variant)).not.toContain('reversed');
    expect(patternsOf('abcdefgh', 'hex')).toEqual(['6162636465666768']);
  });

  test('hex of a digits-only secret has no letters: one pattern, named hex', () => {
    const vs = variantsOf('12345678901234567890');
    expect(patternsOf('12345678901234567890', 'hex')).toHaveLength(1);
    expect(vs.map((v) => v.variant)).not.toContain('hex-upper');
  });

  test('non-ASCII secrets: UTF-8 bytes, and JSON escapes of UTF-16 code units as JSON.stringify-ish emitters do', () => {
    const s = 'pässwörd-ünïcode-sécret';
    expect(patternsOf(s, 'plain')).toEqual([Buffer.from(s).toString('latin1')]);
    const units = [...s].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    expect(patternsOf(s, 'json-unicode')).toContain(units);
    expect(JSON.parse(`"${units}"`)).toBe(s);
  });
});
