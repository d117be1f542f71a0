// The building blocks: unbiased sampling (with known bytes) and the GitHub/npm CRC32 checksum.
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BASE62, pick, randomDigits, randomString } from '../../../../src/core/formats/random.js';
import { base62, crc32, tokenChecksum } from '../../../../src/core/formats/checksum.js';

function bytes(...seq: number[]): (n: number) => Uint8Array {
  let i = 0;
  return (n) => Uint8Array.from({ length: n }, () => seq[i++ % seq.length]!);
}

describe('randomString', () => {
  it('drops bytes at or above 248 for a 62-character alphabet (248 = 4 × 62) instead of folding them', () => {
    // 248..255 would otherwise map onto '0'..'7' and make those 8 characters more likely.
    expect(randomString(BASE62, 4, bytes(248, 255, 0, 61, 62, 247))).toBe('0z0z');
  });

  it('uses every byte for a 64-character alphabet (no rejection needed)', () => {
    expect(randomString('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 3, bytes(255, 0, 64))).toBe(
      '_AA',
    );
  });

  it('keeps drawing until the requested length when whole batches are rejected', () => {
    let calls = 0;
    const source = (n: number) => {
      calls++;
      return Uint8Array.from({ length: n }, () => (calls < 3 ? 250 : 1));
    };
    expect(randomString(BASE62, 5, source)).toBe('11111');
    expect(calls).toBe(3);
  });

  it('produces only alphabet characters with the real source', () => {
    const s = randomString('abc', 500);
    expect(s).toMatch(/^[abc]{500}$/);
    expect(new Set(s).size).toBe(3);
  });

  it('pick and randomDigits stay in range', () => {
    for (let i = 0; i < 50; i++) {
      expect(['a', 'b']).toContain(pick(['a', 'b']));
      expect(randomDigits(12)).toMatch(/^[1-9][0-9]{11}$/);
    }
    expect(() => pick([])).toThrow(RangeError);
  });
});

describe('checksum', () => {
  it('crc32 is CRC-32/ISO-HDLC: standard check value and agreement with zlib', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    for (const s of ['', 'a', 'ghp', randomString(BASE62, 30), randomString(BASE62, 30)]) {
      expect(crc32(s)).toBe(zlibCrc32(s));
    }
  });

  it('base62 pads with 0 and uses the digits-upper-lower order', () => {
    expect(base62(0, 6)).toBe('000000');
    expect(base62(61, 6)).toBe('00000z');
    expect(base62(62, 6)).toBe('000010');
    expect(base62(0xffffffff, 6)).toBe('4gfFC3');
  });

  it("matches CredSweeper's published GitHub/npm checksum vector", () => {
    // CredSweeper tests/filters/test_value_github_check.py accepts npm_ + 31 zeros + "4WZ4EQ".
    expect(tokenChecksum('0'.repeat(31))).toBe('4WZ4EQ');
  });
});
