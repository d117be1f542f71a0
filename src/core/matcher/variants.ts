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
const HEX_LOWER = '0123456789abcdef';
const HEX_UPPER = '0123456789ABCDEF';

/** Percent-encoding of only the bytes outside `keep`, as URL encoders do; '' when that changes nothing. */
function percentSome(bytes: Uint8Array, keep: Uint8Array, upper: boolean): string {
  if (bytes.every((b) => keep[b] === 1)) return '';
  const digits = upper ? HEX_UPPER : HEX_LOWER;
  let out = '';
  for (const b of bytes) out += keep[b] ? String.fromCharCode(b) : `%${digits[b >> 4]}${digits[b & 15]}`;
  return out;
}

/**
 * Every encoded form of `secret`, as latin1 strings (one char per byte), in a fixed order; may repeat a form and
 * yield forms shorter than MIN_PATTERN_LENGTH: callers filter.
 */
export function eachVariant(secret: string, emit: (variant: VariantName, latin1: string) => void): void {
  const token = Buffer.from(secret, 'utf8');
  emit('plain', token.toString('latin1'));

  const padded = token.toString('base64');
  const stable = [stableBase64(token, 0), stableBase64(token, 1), stableBase64(token, 2)];
  for (const b of stable) emit('base64', b);
  emit('base64', padded);
  for (const b of stable) emit('base64url', toUrlAlphabet(b));
  emit('base64url', toUrlAlphabet(padded));

  const hex = token.toString('hex');
  const HEX = hex.toUpperCase();
  emit('hex', hex);
  emit('hex-upper', HEX);

  emit('percent', HEX.replace(/../g, '%$&'));
  emit('percent-lower', hex.replace(/../g, '%$&'));
  // What encodeURIComponent / urllib.parse.quote(safe='') leave of a token with '/', '+', '=' in it (AWS secret keys).
  emit('percent', percentSome(token, URI_COMPONENT_SAFE, true));
  emit('percent', percentSome(token, UNRESERVED, true));
  emit('percent-lower', percentSome(token, URI_COMPONENT_SAFE, false));
  emit('percent-lower', percentSome(token, UNRESERVED, false));

  emit('json-unicode', hex.replace(/../g, '\\u00$&'));
  emit('json-unicode', HEX.replace(/../g, '\\u00$&'));
  // JSON proper escapes UTF-16 code units, which differs from the per-byte form only for non-ASCII secrets.
  if (token.length !== secret.length) {
    const units = Buffer.from(secret, 'utf16le').swap16().toString('hex');
    emit('json-unicode', units.replace(/..../g, '\\u$&'));
    emit('json-unicode', units.toUpperCase().replace(/..../g, '\\u$&'));
  }

  emit('utf16le', Buffer.from(secret, 'utf16le').toString('latin1'));
  emit('reversed', Buffer.from(Array.from(secret).reverse().join(''), 'utf8').toString('latin1'));

  // Only the stable part of the inner encoding, so padded, unpadded and newline-terminated inner forms all match.
  emit('base64-base64', stableBase64(Buffer.from(stable[0], 'latin1'), 0));
}

/**
 * Every pattern the matcher looks for to catch `secret` (its UTF-8 bytes) in encoded form. Patterns shorter than
 * MIN_PATTERN_LENGTH are dropped; identical byte strings are kept once (the first variant named wins).
 */
export function variantsOf(secret: string): Variant[] {
  const out: Variant[] = [];
  const seen = new Set<string>();
  eachVariant(secret, (variant, latin1) => {
    if (latin1.length < MIN_PATTERN_LENGTH || seen.has(latin1)) return;
    seen.add(latin1);
    out.push({ variant, bytes: Buffer.from(latin1, 'latin1') });
  });
  return out;
}
