// GitHub classic personal access token: ghp_ + 30 random base62 + base62(crc32(random)) padded to 6.
// Core = the 30 random characters (178 bits): still present when the prefix is stripped or the checksum cut off.
import type { GeneratedToken } from './types.js';
import { type FormatDef, coreFromShape } from './format-def.js';
import { tokenChecksum } from './checksum.js';
import { BASE62, randomString } from './random.js';
import { userName } from './decoy-text.js';

const SHAPE = /^ghp_([0-9A-Za-z]{30})([0-9A-Za-z]{6})$/;

export const githubPat: FormatDef = {
  id: 'github-pat',
  title: 'GitHub classic personal access token',
  pattern: /ghp_[0-9a-zA-Z]{36}/, // gitleaks github-pat
  generate(): GeneratedToken {
    const random = randomString(BASE62, 30);
    return { value: `ghp_${random}${tokenChecksum(random)}` };
  },
  validate(value: string): boolean {
    const m = SHAPE.exec(value);
    return m !== null && tokenChecksum(m[1]!) === m[2];
  },
  core(value: string): string {
    return coreFromShape(SHAPE, value, githubPat);
  },
  decoy(token: GeneratedToken) {
    // What `git config credential.helper store` writes after a push with a PAT as password.
    return { defaultName: '.git-credentials', content: `https://${userName()}:${token.value}@github.com\n`, mode: 0o600 };
  },
};
