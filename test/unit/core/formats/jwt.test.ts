// The JWT decoy is really signed: its HS256 signature verifies with the JWT_SECRET that sits next to it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { getFormat } from '../../../../src/core/formats/index.js';

const jwt = getFormat('jwt');

function verify(token: string, secret: string): boolean {
  const [h, p, s] = token.split('.');
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const got = Buffer.from(s!, 'base64url');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

function decode(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('jwt', () => {
  it('verifies with its signing key and not with another', () => {
    const a = jwt.generate();
    const b = jwt.generate();
    expect(verify(a.value, a.companions!.signingKey!)).toBe(true);
    expect(verify(a.value, b.companions!.signingKey!)).toBe(false);
  });

  it('the decoy .env holds the key that verifies the token it holds', () => {
    const t = jwt.generate();
    const env = Object.fromEntries(
      jwt
        .decoy(t, 'x')
        .content.split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env.SERVICE_TOKEN).toBe(t.value);
    expect(verify(env.SERVICE_TOKEN!, env.JWT_SECRET!)).toBe(true);
    const claims = decode(t.value.split('.')[1]!);
    expect(env.JWT_ISSUER).toBe(claims.iss);
    expect(env.JWT_AUDIENCE).toBe(claims.aud);
  });

  it('has a standard HS256 header and realistic claims: issued in the past, expiring in the future, random jti', () => {
    const now = Math.floor(Date.now() / 1000);
    const jtis = new Set<unknown>();
    for (let i = 0; i < 20; i++) {
      const [h, p] = jwt.generate().value.split('.');
      expect(decode(h!)).toEqual({ alg: 'HS256', typ: 'JWT' });
      const c = decode(p!);
      expect(c.iss).toMatch(/^https:\/\/auth\.[a-z-]+\.[a-z]+\/$/);
      expect(c.aud).toMatch(/^https:\/\/api\.[a-z-]+\.[a-z]+$/);
      expect(c.sub).toMatch(/^[0-9a-f-]{36}$/);
      expect(c.iat as number).toBeLessThan(now);
      expect(c.exp as number).toBeGreaterThan(now);
      expect(c.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      jtis.add(c.jti);
    }
    expect(jtis.size).toBe(20);
  });

  it('validate() checks structure: a wrong alg, a missing claim or a short signature fail', () => {
    const t = jwt.generate();
    const [h, p, s] = t.value.split('.') as [string, string, string];
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    expect(jwt.validate(t.value)).toBe(true);
    expect(jwt.validate(`${enc({ alg: 'none', typ: 'JWT' })}.${p}.${s}`)).toBe(false);
    const { exp: _exp, ...noExp } = decode(p);
    expect(jwt.validate(`${h}.${enc(noExp)}.${s}`)).toBe(false);
    expect(jwt.validate(`${h}.${p}.${s.slice(0, 20)}`)).toBe(false);
    expect(jwt.validate(`${h}.${p}`)).toBe(false);
  });
});
