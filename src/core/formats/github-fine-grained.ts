// GitHub fine-grained personal access token: github_pat_ + 22 alnum + _ + 59 alnum (82 after the prefix).
// The 22-character head starts with "11" like real ones; core = the 59-character tail (351 bits).
// GitHub has published no checksum for this format, so validate() checks the shape only.
import type { GeneratedToken } from './types.js';
import { type FormatDef, coreFromShape } from './format-def.js';
import { BASE62, randomString } from './random.js';
import { userName } from './decoy-text.js';

const SHAPE = /^github_pat_(11[0-9A-Za-z]{20})_([0-9A-Za-z]{59})$/;

export const githubFineGrained: FormatDef = {
  id: 'github-fine-grained',
  title: 'GitHub fine-grained personal access token',
  pattern: /github_pat_\w{82}/, // gitleaks github-fine-grained-pat
  generate(): GeneratedToken {
    return { value: `github_pat_11${randomString(BASE62, 20)}_${randomString(BASE62, 59)}` };
  },
  validate(value: string): boolean {
    return SHAPE.test(value);
  },
  core(value: string): string {
    return coreFromShape(SHAPE, value, githubFineGrained, 2);
  },
  decoy(token: GeneratedToken) {
    // gh CLI's hosts.yml as written with insecure (plain-file) storage.
    const user = userName();
    const content = [
      'github.com:',
      '    users:',
      `        ${user}:`,
      `            oauth_token: ${token.value}`,
      '    git_protocol: https',
      `    oauth_token: ${token.value}`,
      `    user: ${user}`,
      '',
    ].join('\n');
    return { defaultName: '.config/gh/hosts.yml', content, mode: 0o600 };
  },
};
