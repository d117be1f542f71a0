// PostgreSQL connection URL with an embedded password. Decision: value = the whole URL (what a leak of the .env
// line carries), companion `password` so the password alone also matches; core = the password (32 base62,
// 190 bits, URL-safe so it needs no percent-encoding).
import type { GeneratedToken } from './types.js';
import { type FormatDef, coreFromShape, notThisFormat } from './format-def.js';
import { BASE62, pick, randomString } from './random.js';
import { appEnvHead, envFile, org, serviceHost } from './decoy-text.js';

const SHAPE = /^postgres(?:ql)?:\/\/[A-Za-z0-9_.-]+:([0-9A-Za-z]{32})@[A-Za-z0-9.-]+:\d{2,5}\/[A-Za-z0-9_-]+$/;

export const databaseUrl: FormatDef = {
  id: 'database-url',
  title: 'PostgreSQL connection URL with password',
  // No gitleaks default rule covers connection URLs; this is the URI-with-credentials shape scanners look for.
  pattern: /postgres(?:ql)?:\/\/[^:@\s/]+:[^@\s/]+@[^/\s:]+(?::\d+)?\/\w+/,
  generate(): GeneratedToken {
    const o = org();
    const user = pick(['app', 'api', 'app_user', 'webapp', o.name.replace(/-/g, '_')]);
    const db = pick(['app_production', 'api', 'main', `${o.name.replace(/-/g, '_')}_prod`, 'orders']);
    const password = randomString(BASE62, 32);
    const scheme = pick(['postgres', 'postgresql']);
    return { value: `${scheme}://${user}:${password}@${serviceHost('postgres', o)}:5432/${db}`, companions: { password } };
  },
  validate(value: string): boolean {
    return SHAPE.test(value);
  },
  core(value: string): string {
    return coreFromShape(SHAPE, value, databaseUrl);
  },
  companionCore(name: string, value: string): string {
    if (name !== 'password' || !/^[0-9A-Za-z]{32}$/.test(value)) throw notThisFormat(databaseUrl, `companion ${name}`);
    return value;
  },
  decoy(token: GeneratedToken) {
    const o = org();
    const content = envFile([
      ...appEnvHead(),
      ['APP_URL', `https://app.${o.domain}`],
      '',
      ['DATABASE_URL', token.value],
      ['DATABASE_POOL_MAX', pick(['10', '20', '25'])],
      ['REDIS_URL', `redis://${serviceHost('redis', o)}:6379/0`],
      ['SESSION_TTL_SECONDS', pick(['3600', '86400'])],
    ]);
    return { defaultName: '.env', content, mode: 0o600 };
  },
};
