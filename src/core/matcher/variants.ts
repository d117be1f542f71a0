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

const HEX_LOWER = Buffer.from('0123456789abcdef', 'latin1');
const HEX_UPPER = Buffer.from('0123456789ABCDEF', 'latin1');

/** Each byte b becomes `prefix` followed by its two hex digits. */
function escapeEach(bytes: Uint8Array, prefix: string, upper: boolean): Buffer {
  const digits = upper ? HEX_UPPER : HEX_LOWER;
  const pre = Buffer.from(prefix, 'latin1');
  const step = pre.length + 2;
  const out = Buffer.allocUnsafe(bytes.length * step);
  for (let i = 0, o = 0; i < bytes.length; i++, o += step) {
    pre.copy(out, o);
    out[o + pre.length] = digits[bytes[i] >> 4];
    out[o + pre.length + 1] = digits[bytes[i] & 15];
  }
  return out;
}

function charTable(chars: string): Uint8Array {
  const t = new Uint8Array(256);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Left as they are by encodeURIComponent. */
const URI_COMPONENT_SAFE = charTable(`${ALNUM}-_.~!'()*`);
/** RFC 3986 unreserved: left as they are by Python's quote(safe=''). */
const UNRESERVED = charTable(`${ALNUM}-_.~`);

/** Percent-encoding of only the bytes outside `keep`, as URL encoders do. */
function percentSome(bytes: Uint8Array, keep: Uint8Array, upper: boolean): Buffer {
  const digits = upper ? HEX_UPPER : HEX_LOWER;
  const out: number[] = [];
  for (const b of bytes) {
    if (keep[b]) out.push(b);
    else out.push(0x25, digits[b >> 4], digits[b & 15]);
  }
  return Buffer.from(out);
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

  add('hex', escapeEach(token, '', false));
  add('hex-upper', escapeEach(token, '', true));

  add('percent', escapeEach(token, '%', true));
  add('percent-lower', escapeEach(token, '%', false));
  // What encodeURIComponent / urllib.parse.quote(safe='') leave of a token with '/', '+', '=' in it (AWS secret keys).
  add('percent', percentSome(token, URI_COMPONENT_SAFE, true));
  add('percent', percentSome(token, UNRESERVED, true));
  add('percent-lower', percentSome(token, URI_COMPONENT_SAFE, false));
  add('percent-lower', percentSome(token, UNRESERVED, false));

  add('json-unicode', escapeEach(token, '\\u00', false));
  add('json-unicode', escapeEach(token, '\\u00', true));
  // JSON proper escapes UTF-16 code units, which differs from the per-byte form only for non-ASCII secrets.
  if (token.length !== secret.length) {
    const units = Buffer.from(secret, 'utf16le').swap16();
    add('json-unicode', escapeEach(units, '', false).toString('latin1').replace(/(....)/g, '\\u$1'));
    add('json-unicode', escapeEach(units, '', true).toString('latin1').replace(/(....)/g, '\\u$1'));
  }

  add('utf16le', Buffer.from(secret, 'utf16le'));
  add('reversed', Array.from(secret).reverse().join(''), 'utf8');

  // Only the stable part of the inner encoding, so padded, unpadded and newline-terminated inner forms all match.
  add('base64-base64', stableBase64(Buffer.from(stableBase64(token, 0), 'latin1'), 0));

  return out;
}
