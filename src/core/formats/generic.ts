// Generic high-entropy API secret: 40 base62 characters (238 bits), random throughout, so it is its own core.
import type { GeneratedToken } from './types.js';
import { type FormatDef, notThisFormat } from './format-def.js';
import { BASE62, pick, randomString } from './random.js';
import { appEnvHead, envFile, org } from './decoy-text.js';

const SHAPE = /^[0-9A-Za-z]{40}$/;

export const generic: FormatDef = {
  id: 'generic',
  title: 'Generic high-entropy API secret',
  // The value's own shape; in its decoy line it is what gitleaks' generic-api-key rule catches.
  pattern: /[0-9A-Za-z]{40}/,
  generate(): GeneratedToken {
    return { value: randomString(BASE62, 40) };
  },
  validate(value: string): boolean {
    return SHAPE.test(value);
  },
  core(value: string): string {
    if (!SHAPE.test(value)) throw notThisFormat(generic);
    return value;
  },
  decoy(token: GeneratedToken) {
    const o = org();
    const content = envFile([
      ...appEnvHead(),
      ['APP_URL', `https://app.${o.domain}`],
      '',
      ['API_BASE_URL', `https://api.${o.domain}/v2`],
      ['API_SECRET', token.value],
      ['API_TIMEOUT_MS', pick(['5000', '10000', '30000'])],
      ['FEATURE_FLAGS', pick(['new-billing,audit-log', 'beta-search', 'none'])],
    ]);
    return { defaultName: '.env', content, mode: 0o600 };
  },
};
