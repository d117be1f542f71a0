// GitLab personal access token, classic form: glpat- + 20 characters of [0-9a-zA-Z_-].
// GitLab mints these as urlsafe_base64 of 15 random bytes, so the real format carries 120 random bits, not 128;
// we keep the real length (a longer body would look wrong to anyone who knows GitLab) and say so in the tests.
// Core = the 20 characters after the prefix.
import type { GeneratedToken } from './types.js';
import { type FormatDef, coreFromShape } from './format-def.js';
import { BASE64URL, pick, randomString } from './random.js';

const SHAPE = /^glpat-([0-9A-Za-z_-]{20})$/;

export const gitlabPat: FormatDef = {
  id: 'gitlab-pat',
  title: 'GitLab personal access token',
  pattern: /glpat-[\w-]{20}/, // gitleaks gitlab-pat
  generate(): GeneratedToken {
    return { value: `glpat-${randomString(BASE64URL, 20)}` };
  },
  validate(value: string): boolean {
    return SHAPE.test(value);
  },
  core(value: string): string {
    return coreFromShape(SHAPE, value, gitlabPat);
  },
  decoy(token: GeneratedToken) {
    // python-gitlab's config file, the one `gitlab` CLI users keep in their home.
    const content = [
      '[global]',
      'default = gitlab',
      'ssl_verify = true',
      `timeout = ${pick(['5', '10', '30'])}`,
      '',
      '[gitlab]',
      'url = https://gitlab.com',
      `private_token = ${token.value}`,
      'api_version = 4',
      '',
    ].join('\n');
    return { defaultName: '.python-gitlab.cfg', content, mode: 0o600 };
  },
};
