// OpenAI project API key: sk-proj- + 74 + "T3BlbkFJ" (base64 of "OpenAI") + 74 characters of [A-Za-z0-9_-].
// The last character is alphanumeric so gitleaks' trailing \b holds. Core = the first 74-character block
// (444 bits): it survives both a stripped prefix and a cut-off tail.
import type { GeneratedToken } from './types.js';
import { type FormatDef, coreFromShape } from './format-def.js';
import { BASE62, BASE64URL, pick, randomString } from './random.js';
import { appEnvHead, envFile } from './decoy-text.js';

const SHAPE = /^sk-proj-([A-Za-z0-9_-]{74})T3BlbkFJ[A-Za-z0-9_-]{73}[A-Za-z0-9]$/;

export const openaiProject: FormatDef = {
  id: 'openai-project',
  title: 'OpenAI project API key',
  // gitleaks openai-api-key
  pattern:
    /\b(sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})(?:[\x60'"\s;]|\\[nr]|$)/,
  generate(): GeneratedToken {
    const head = randomString(BASE64URL, 74);
    const tail = randomString(BASE64URL, 73) + randomString(BASE62, 1);
    return { value: `sk-proj-${head}T3BlbkFJ${tail}` };
  },
  validate(value: string): boolean {
    return SHAPE.test(value);
  },
  core(value: string): string {
    return coreFromShape(SHAPE, value, openaiProject);
  },
  decoy(token: GeneratedToken) {
    const content = envFile([
      ...appEnvHead(),
      '',
      ['OPENAI_API_KEY', token.value],
      ['OPENAI_MODEL', pick(['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'o3-mini'])],
      ['OPENAI_MAX_TOKENS', pick(['1024', '2048', '4096'])],
      ['EMBEDDINGS_MODEL', 'text-embedding-3-small'],
    ]);
    return { defaultName: '.env', content, mode: 0o600 };
  },
};
