// Unbiased random strings for token bodies: every character comes from node:crypto, with rejection sampling.
import { randomBytes, randomInt } from 'node:crypto';

export const DIGITS = '0123456789';
/** GitHub's and npm's base62 order (digits, upper, lower): also the order their CRC32 checksum is written in. */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The URL-safe base64 alphabet ([A-Za-z0-9_-]) that GitLab, OpenAI and Anthropic bodies use. */
export const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Standard base64 alphabet: AWS secret access keys. */
export const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** RFC 4648 base32 alphabet: AWS access key ids after the AKIA prefix. */
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const LOWER_ALNUM = '0123456789abcdefghijklmnopqrstuvwxyz';
export const HEX = '0123456789abcdef';

/** Source of random bytes; injectable only so the rejection logic can be tested with known bytes. */
export type ByteSource = (n: number) => Uint8Array;

/**
 * `length` characters drawn uniformly from `alphabet`. A byte b is used only when b < 256 - (256 mod n),
 * so `b mod n` is uniform: plain `b mod 62` would favour the first 8 characters.
 */
export function randomString(alphabet: string, length: number, source: ByteSource = randomBytes): string {
  const n = alphabet.length;
  if (n < 2 || n > 256) throw new RangeError(`alphabet size ${n} out of range`);
  const limit = 256 - (256 % n);
  let out = '';
  while (out.length < length) {
    const bytes = source(Math.max(16, Math.ceil((length - out.length) * 1.25)));
    for (const b of bytes) {
      if (b >= limit) continue;
      out += alphabet[b % n];
      if (out.length === length) break;
    }
  }
  return out;
}

/** One element, uniformly (crypto randomInt is unbiased). */
export function pick<T>(items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[randomInt(items.length)] as T;
}

/** Decimal string of exactly `length` digits with a non-zero first digit (ids never start with 0). */
export function randomDigits(length: number): string {
  return randomString('123456789', 1) + randomString(DIGITS, length - 1);
}

/** Shannon entropy in bits per character: secret scanners (gitleaks) skip matches below a threshold. */
export function shannon(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}
