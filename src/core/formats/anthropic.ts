// Anthropic API key: sk-ant-api03- + 93 characters of [A-Za-z0-9_-] + "AA". Core = the 93 random characters.
import type { GeneratedToken } from './types.js';
import { type FormatDef, coreFromShape } from './format-def.js';
import { BASE64URL, pick, randomString } from './random.js';
import { appEnvHead, envFile } from './decoy-text.js';

const SHAPE = /^sk-ant-api03-([A-Za-z0-9_-]{93})AA$/;

export const anthropic: FormatDef = {
  id: 'anthropic',
  title: 'Anthropic API key',
  pattern: /\b(sk-ant-api03-[a-zA-Z0-9_-]{93}AA)(?:[\x60'"\s;]|\\[nr]|$)/, // gitleaks anthropic-api-key
  generate(): GeneratedToken {
    return { value: `sk-ant-api03-${randomString(BASE64URL, 93)}AA` };
  },
  validate(value: string): boolean {
    return SHAPE.test(value);
  },
  core(value: string): string {
    return coreFromShape(SHAPE, value, anthropic);
  },
  decoy(token: GeneratedToken) {
    const content = envFile([
      ...appEnvHead(),
      '',
      ['ANTHROPIC_API_KEY', token.value],
      ['ANTHROPIC_MODEL', pick(['claude-sonnet-4-20250514', 'claude-3-5-haiku-latest', 'claude-opus-4-1'])],
      ['ANTHROPIC_MAX_TOKENS', pick(['1024', '4096', '8192'])],
    ]);
    return { defaultName: '.env', content, mode: 0o600 };
  },
};
