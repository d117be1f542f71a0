// JSON Web Token, really signed: HS256 over realistic claims (iss, sub, aud, iat, exp a year out, jti).
// Decision: the HMAC secret is kept as companion `signingKey` (64 hex characters, 256 bits, the usual
// `openssl rand -hex 32` JWT_SECRET) and written next to the token in the decoy .env, so a reader who finds both
// can check the signature and believe the pair; the secret is matched like the token. validate() receives only
// the token, so it checks structure (header, claims, a canonical 32-byte signature), not the signature itself;
// tests verify the signature with the companion. Core = the signature segment (43 characters, keyed by 256
// random bits), which also survives a stripped header.
import { createHmac, randomInt, randomUUID } from 'node:crypto';
import type { GeneratedToken } from './types.js';
import { type FormatDef, notThisFormat } from './format-def.js';
import { HEX, pick, randomString } from './random.js';
import { appEnvHead, envFile, org } from './decoy-text.js';

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const HEADER = { alg: 'HS256', typ: 'JWT' } as const;
const DAY = 86_400;

function b64url(json: unknown): string {
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
}

function parseSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

interface Claims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  scope?: string;
}

function isClaims(v: unknown): v is Claims {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.iss === 'string' &&
    typeof c.sub === 'string' &&
    typeof c.aud === 'string' &&
    typeof c.jti === 'string' &&
    Number.isInteger(c.iat) &&
    Number.isInteger(c.exp) &&
    (c.exp as number) > (c.iat as number)
  );
}

/** Splits a token into its three segments when each is non-empty base64url; null otherwise. */
function segments(token: string): [string, string, string] | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) return null;
  return parts as [string, string, string];
}

export const jwt: FormatDef = {
  id: 'jwt',
  title: 'JSON Web Token (HS256)',
  // gitleaks jwt
  pattern: /\b(ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?)(?:[\x60'"\s;]|\\[nr]|$)/,
  generate(): GeneratedToken {
    const signingKey = randomString(HEX, 64);
    const o = org();
    const iat = Math.floor(Date.now() / 1000) - randomInt(1, 30 * DAY);
    const claims: Claims = {
      iss: `https://auth.${o.domain}/`,
      sub: randomUUID(),
      aud: `https://api.${o.domain}`,
      iat,
      exp: iat + 365 * DAY,
      jti: randomUUID(),
      scope: pick(['read:orders write:orders', 'deploy:write', 'reports:read', 'admin']),
    };
    const signingInput = `${b64url(HEADER)}.${b64url(claims)}`;
    const signature = createHmac('sha256', signingKey).update(signingInput).digest('base64url');
    return { value: `${signingInput}.${signature}`, companions: { signingKey } };
  },
  validate(value: string): boolean {
    const parts = segments(value);
    if (!parts) return false;
    try {
      const header = parseSegment(parts[0]) as Record<string, unknown>;
      if (header?.alg !== 'HS256' || header?.typ !== 'JWT') return false;
      if (!isClaims(parseSegment(parts[1]))) return false;
    } catch {
      return false;
    }
    const sig = Buffer.from(parts[2], 'base64url');
    return sig.length === 32 && sig.toString('base64url') === parts[2];
  },
  core(value: string): string {
    const parts = segments(value);
    if (!parts || parts[2].length < 16) throw notThisFormat(jwt);
    return parts[2];
  },
  companionCore(name: string, value: string): string {
    if (name !== 'signingKey' || !/^[0-9a-f]{64}$/.test(value)) throw notThisFormat(jwt, `companion ${name}`);
    return value;
  },
  decoy(token: GeneratedToken) {
    const signingKey = token.companions?.signingKey;
    const parts = segments(token.value);
    if (!signingKey || !parts) throw notThisFormat(jwt, 'token');
    const claims = parseSegment(parts[1]) as Claims;
    const content = envFile([
      ...appEnvHead(),
      '',
      '# service-to-service auth',
      ['JWT_ISSUER', claims.iss],
      ['JWT_AUDIENCE', claims.aud],
      ['JWT_SECRET', signingKey],
      ['SERVICE_TOKEN', token.value],
      ['API_BASE_URL', `${claims.aud}/v1`],
    ]);
    return { defaultName: '.env', content, mode: 0o600 };
  },
};
