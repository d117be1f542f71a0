// The encoded forms a secret can take on its way out (base64 at every alignment, hex, percent, JSON, UTF-16, ...).
import type { VariantName } from './types.js';

/** Shorter patterns would fire on ordinary data; a canary's random part is always at least this long. */
export const MIN_PATTERN_LENGTH = 16;

export interface Variant {
  variant: VariantName;
  bytes: Buffer;
}

function toUrlAlphabet(b64: string): string {
  return b64.replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Base64 characters of `token` preceded by `k` unknown bytes and followed by unknown bytes that depend on the token's
 * bits alone: character i covers bits [6i, 6i+6) of the stream, the token bits [8k, 8k+8n).
 */
export function stableBase64(token: Uint8Array, k: 0 | 1 | 2): string {
  const enc = Buffer.concat([Buffer.alloc(k), token]).toString('base64');
  const first = Math.ceil((8 * k) / 6);
  const last = Math.floor((8 * k + 8 * token.length) / 6);
  return last > first ? enc.slice(first, last) : '';
}

/** RFC 3986 unreserved characters stay as they are (Python's quote(safe='')); the rest are %XX. */
function percentMinimal(bytes: Uint8Array, lower: boolean, keep: RegExp): string {
  let out = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (b < 0x80 && keep.test(ch)) out += ch;
    else {
      const hex = b.toString(16).padStart(2, '0');
      out += '%' + (lower ? hex : hex.toUpperCase());
    }
  }
  return out;
}

function perByte(bytes: Uint8Array, f: (hex: string) => string, upper: boolean): string {
  let out = '';
  for (const b of bytes) {
    const hex = b.toString(16).padStart(2, '0');
    out += f(upper ? hex.toUpperCase() : hex);
  }
  return out;
}

/**
 * Every pattern the matcher looks for to catch `secret` (its UTF-8 bytes) in encoded form. Patterns shorter than
 * MIN_PATTERN_LENGTH are dropped; identical byte strings are kept once (the first variant named wins).
 */
export function variantsOf(secret: string): Variant[] {
  const token = Buffer.from(secret, 'utf8');
  const out: Variant[] = [];
  const seen = new Set<string>();
  const add = (variant: VariantName, value: string | Buffer, encoding: BufferEncoding = 'latin1'): void => {
    const bytes = typeof value === 'string' ? Buffer.from(value, encoding) : value;
    if (bytes.length < MIN_PATTERN_LENGTH) return;
    const key = bytes.toString('latin1');
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ variant, bytes });
  };

  add('plain', token);

  const padded = token.toString('base64');
  for (const k of [0, 1, 2] as const) add('base64', stableBase64(token, k));
  add('base64', padded);
  for (const k of [0, 1, 2] as const) add('base64url', toUrlAlphabet(stableBase64(token, k)));
  add('base64url', toUrlAlphabet(padded));

  add('hex', token.toString('hex'));
  add('hex-upper', token.toString('hex').toUpperCase());

  add('percent', perByte(token, (h) => '%' + h, true));
  add('percent-lower', perByte(token, (h) => '%' + h, false));
  // What encodeURIComponent / urllib.parse.quote(safe='') leave of a token with '/', '+', '=' in it (AWS secret keys).
  add('percent', percentMinimal(token, false, /[A-Za-z0-9\-_.~!'()*]/).replace(/%[0-9a-f]{2}/g, (m) => m.toUpperCase()));
  add('percent', percentMinimal(token, false, /[A-Za-z0-9\-_.~]/).replace(/%[0-9a-f]{2}/g, (m) => m.toUpperCase()));
  add('percent-lower', percentMinimal(token, true, /[A-Za-z0-9\-_.~!'()*]/));
  add('percent-lower', percentMinimal(token, true, /[A-Za-z0-9\-_.~]/));

  add('json-unicode', perByte(token, (h) => '\\u00' + h, false));
  add('json-unicode', perByte(token, (h) => '\\u00' + h, true));
  // JSON proper escapes UTF-16 code units, which differs from the per-byte form only for non-ASCII secrets.
  let units = '';
  for (let i = 0; i < secret.length; i++) units += '\\u' + secret.charCodeAt(i).toString(16).padStart(4, '0');
  add('json-unicode', units);
  add('json-unicode', units.replace(/[a-f]/g, (c) => c.toUpperCase()));

  add('utf16le', Buffer.from(secret, 'utf16le'));
  add('reversed', Array.from(secret).reverse().join(''), 'utf8');

  // Only the stable part of the inner encoding, so padded, unpadded and newline-terminated inner forms all match.
  add('base64-base64', stableBase64(Buffer.from(stableBase64(token, 0), 'latin1'), 0));

  return out;
}
