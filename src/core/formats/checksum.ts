// CRC32 and its base62 form: the checksum GitHub (ghp_) and npm (npm_) tokens carry in their last 6 characters.
import { BASE62 } from './random.js';

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32/ISO-HDLC (zlib's crc32) of the UTF-8 bytes of `text`. Written out because src/core avoids node:zlib. */
export function crc32(text: string): number {
  let c = 0xffffffff;
  for (const b of Buffer.from(text, 'utf8')) c = TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Non-negative integer in base62 (digits, upper, lower), left-padded with '0' to `width`. */
export function base62(n: number, width: number): string {
  let out = '';
  let v = n;
  do {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  } while (v > 0);
  return out.padStart(width, '0');
}

/** The 6-character checksum of a GitHub/npm token body: base62(crc32(random part)). */
export function tokenChecksum(randomPart: string): string {
  return base62(crc32(randomPart), 6);
}
