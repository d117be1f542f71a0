// The public evasion list, one row each: the token encoded by Node's own encoders, embedded in other text, must hit.
import { describe, expect, test } from 'vitest';
import { compileMatcher } from '../../../../src/core/matcher/index.js';
import type { MatchTarget, VariantName } from '../../../../src/core/matcher/types.js';
import { oneByteCuts, runCuts, secretTarget } from './helpers.js';

// ghp_ + 30 random + 6 checksum characters; the random core is what a stripped or truncated token still carries.
const GHP = 'ghp_Xq7Lm2Rt9Vb4Nc8Kp1Hw6Jz3Fd5Sg0Ya2Qe4';
const GHP_CORE = GHP.slice(4, 34);
// A secret with '/' and '+': encodeURIComponent changes it.
const AWS = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYz9k3+/Qm1L';
// A secret whose base64 has '+' and '/' at every alignment, so url-safe forms differ from the standard ones.
const URL = 'tok_~~~???>>>R4nd0m~?>V4lu3Xy9Qp2Lm8~~?Zt6Q'; // 43 bytes: '==' padding
// Decoy canary that must never fire: the rows must hit the right canary only.
const OTHER = 'sk-other0Canary1Value2Never3Appears4Here5';

const TARGETS: MatchTarget[] = [
  secretTarget('ghp', GHP, [GHP_CORE]),
  secretTarget('aws', AWS),
  secretTarget('url', URL),
  secretTarget('other', OTHER),
];

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
const b64url = (s: string | Buffer): string => Buffer.from(s).toString('base64url');
const hex = (s: string): string => Buffer.from(s).toString('hex');
const perByte = (s: string, f: (h: string) => string): string => [...Buffer.from(s)].map((b) => f(b.toString(16).padStart(2, '0'))).join('');

interface Row {
  name: string;
  id: string;
  variant: VariantName;
  before: Buffer | string;
  encoded: Buffer | string;
  after: Buffer | string;
  /** The hit must cover the encoded span exactly (padded forms: the '=' are part of the pattern). */
  whole?: boolean;
}

const ROWS: Row[] = [
  { name: 'plain in a header', id: 'ghp', variant: 'plain', before: 'Authorization: token ', encoded: GHP, after: '\r\n' },
  { name: 'base64 offset 0, padded, alone', id: 'ghp', variant: 'base64', before: '{"k":"', encoded: b64(GHP), after: '"}', whole: true },
  { name: 'base64 offset 0 inside other text', id: 'ghp', variant: 'base64', before: 'data=', encoded: b64(`abc${GHP}\nxyz`), after: '&' },
  { name: 'base64 offset 1 inside other text', id: 'ghp', variant: 'base64', before: 'data=', encoded: b64(`T=${GHP}`.slice(1)), after: '' },
  { name: 'base64 offset 1 (x + token + y)', id: 'ghp', variant: 'base64', before: ' ', encoded: b64(`x${GHP}y`), after: ' ' },
  { name: 'base64 offset 2 (KEY + token)', id: 'ghp', variant: 'base64', before: 'blob:', encoded: b64(`K=${GHP}&more=1`), after: '\n' },
  { name: 'base64 unpadded', id: 'ghp', variant: 'base64', before: 'x-tok: ', encoded: b64(GHP).replace(/=+$/, ''), after: '\n' },
  { name: 'base64url offset 0, unpadded', id: 'url', variant: 'base64url', before: 'jwt.', encoded: b64url(URL), after: '.sig' },
  { name: 'base64url offset 1', id: 'url', variant: 'base64url', before: '?q=', encoded: b64url(`:${URL}`), after: '' },
  { name: 'base64url offset 2', id: 'url', variant: 'base64url', before: '?q=', encoded: b64url(`s=${URL};`), after: '' },
  { name: 'base64url padded', id: 'url', variant: 'base64url', before: 'v=', encoded: b64(URL).replace(/\+/g, '-').replace(/\//g, '_'), after: '&', whole: true },
  { name: 'base64 standard with + and / at offset 2', id: 'url', variant: 'base64', before: '', encoded: b64(`ab${URL}`), after: '' },
  { name: 'hex lower', id: 'ghp', variant: 'hex', before: 'payload 0x', encoded: hex(GHP), after: ' end' },
  { name: 'hex upper', id: 'ghp', variant: 'hex-upper', before: 'PAYLOAD ', encoded: hex(GHP).toUpperCase(), after: '' },
  { name: 'percent upper, every byte', id: 'ghp', variant: 'percent', before: 'GET /?t=', encoded: perByte(GHP, (h) => `%${h.toUpperCase()}`), after: ' HTTP/1.1' },
  { name: 'percent lower, every byte', id: 'ghp', variant: 'percent-lower', before: 'GET /?t=', encoded: perByte(GHP, (h) => `%${h}`), after: ' HTTP/1.1' },
  { name: 'encodeURIComponent of a token with / and +', id: 'aws', variant: 'percent', before: 'secret=', encoded: encodeURIComponent(AWS), after: '&x=1' },
  { name: 'JSON \\u00XX lower', id: 'ghp', variant: 'json-unicode', before: '{"t":"', encoded: perByte(GHP, (h) => `\\u00${h}`), after: '"}' },
  { name: 'JSON \\u00XX upper', id: 'ghp', variant: 'json-unicode', before: '{"t":"', encoded: perByte(GHP, (h) => `\\u00${h.toUpperCase()}`), after: '"}' },
  { name: 'UTF-16LE inside UTF-16LE text', id: 'ghp', variant: 'utf16le', before: Buffer.from('token=', 'utf16le'), encoded: Buffer.from(GHP, 'utf16le'), after: Buffer.from(';', 'utf16le') },
  { name: 'reversed', id: 'ghp', variant: 'reversed', before: 'echo ', encoded: [...GHP].reverse().join(''), after: ' | rev' },
  { name: 'double base64', id: 'ghp', variant: 'base64-base64', before: 'x=', encoded: b64(b64(GHP)), after: '' },
  { name: 'double base64 with newline (base64 | base64)', id: 'ghp', variant: 'base64-base64', before: '', encoded: b64(`${b64(GHP)}\n`), after: '\n' },
  { name: 'prefix stripped: the core', id: 'ghp', variant: 'core', before: 'token=', encoded: GHP.slice(4), after: '\n' },
  { name: 'truncated token: the core', id: 'ghp', variant: 'core', before: 'token=', encoded: GHP.slice(0, 34), after: '…\n' },
];

describe.each(ROWS)('$name', (row) => {
  const parts = [row.before, row.encoded, row.after].map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
  const input = Buffer.concat(parts);
  const from = parts[0].length;
  const to = from + parts[1].length;

  test('is caught whole, byte by byte and split anywhere, inside the encoded span', () => {
    const m = compileMatcher(TARGETS);
    const expectHit = (hits: ReturnType<typeof m.scan>): void => {
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.every((h) => h.canaryId === row.id)).toBe(true);
      expect(hits.some((h) => h.variant === row.variant && h.start >= from && h.end <= to)).toBe(true);
      if (row.whole) expect(hits.some((h) => h.variant === row.variant && h.start === from && h.end === to)).toBe(true);
    };
    expectHit(m.scan(input));
    expectHit(runCuts(m, input, oneByteCuts(input.length)));
    for (let at = 1; at < input.length; at++) expectHit(runCuts(m, input, [at]));
  });

  test('the plain token is not in the text (the row tests an encoding)', () => {
    if (row.variant === 'plain') return;
    expect(input.includes(Buffer.from({ ghp: GHP, aws: AWS, url: URL }[row.id]!))).toBe(false);
  });
});

test('url-safe rows really differ from standard base64', () => {
  for (const k of ['', ':', 's=']) expect(b64url(`${k}${URL}`).slice(3, -3)).toMatch(/[-_]/);
  expect(b64(URL)).toMatch(/=$/);
  expect(encodeURIComponent(AWS)).not.toBe(AWS);
});
