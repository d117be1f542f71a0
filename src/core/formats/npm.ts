// npm access token: npm_ + 30 random base62 + base62(crc32(random)) padded to 6, the same scheme as GitHub's.
// Core = the 30 random characters (178 bits).
import type { GeneratedToken } from './types.js';
import { type FormatDef, coreFromShape } from './format-def.js';
import { tokenChecksum } from './checksum.js';
import { BASE62, pick, randomString } from './random.js';

const SHAPE = /^npm_([0-9A-Za-z]{30})([0-9A-Za-z]{6})$/;

export const npm: FormatDef = {
  id: 'npm',
  title: 'npm access token',
  pattern: /\b(npm_[a-z0-9]{36})(?:[\x60'"\s;]|\\[nr]|$)/i, // gitleaks npm-access-token
  generate(): GeneratedToken {
    const random = randomString(BASE62, 30);
    return { value: `npm_${random}${tokenChecksum(random)}` };
  },
  validate(value: string): boolean {
    const m = SHAPE.exec(value);
    return m !== null && tokenChecksum(m[1]!) === m[2];
  },
  core(value: string): string {
    return coreFromShape(SHAPE, value, npm);
  },
  decoy(token: GeneratedToken) {
    const content = [
      `//registry.npmjs.org/:_authToken=${token.value}`,
      'registry=https://registry.npmjs.org/',
      pick(['save-exact=true', 'save-prefix=~']),
      pick(['engine-strict=true', 'fund=false', 'audit-level=high']),
      '',
    ].join('\n');
    return { defaultName: '.npmrc', content, mode: 0o600 };
  },
};
