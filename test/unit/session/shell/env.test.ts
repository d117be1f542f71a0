// The session environment: exec guard first in LD_PRELOAD, canary placements, proxy and CA trust variables.
import { describe, expect, it } from 'vitest';
import { buildSessionEnv, CA_BUNDLE_VARS, envPlacements } from '../../../../src/session/shell/env.js';
import { makeCanary } from '../../../support/canaries.js';

const canaries = [
  makeCanary({ id: 'a', value: 'v-a', placements: [{ kind: 'env', name: 'GITHUB_TOKEN' }, { kind: 'decoy', rel: '.env' }] }),
  makeCanary({ id: 'b', value: 'v-b', placements: [{ kind: 'env', name: 'AWS_KEY' }, { kind: 'env', name: 'bad name' }] }),
];

describe('buildSessionEnv', () => {
  const base = { PATH: '/bin', LD_PRELOAD: '/x/other.so', NO_PROXY: 'localhost' };
  const input = { base, execLib: '/g/lib.so', execSock: '/t/s.sock', session: 's1', placed: envPlacements(canaries), shell: '/bin/bash' };

  it('puts the guard first and the canary variables in', () => {
    const env = buildSessionEnv(input);
    expect(env.LD_PRELOAD).toBe('/g/lib.so:/x/other.so');
    expect(env.GRITH_EXEC_SOCK).toBe('/t/s.sock');
    expect(env.GITHUB_TOKEN).toBe('v-a');
    expect(env.AWS_KEY).toBe('v-b');
    expect(env.GRITH_EXEC_ENV.split(',').sort()).toEqual(['AWS_KEY', 'GITHUB_TOKEN']);
    expect(env.NO_PROXY).toBe('localhost');
    expect(env.HTTPS_PROXY).toBeUndefined();
  });

  it('routes through the proxy with grith CA alone for Node and the joined bundle elsewhere', () => {
    const env = buildSessionEnv({ ...input, proxy: { url: 'http://127.0.0.1:9999', caCert: '/ca.pem', caBundle: '/bundle.pem' } });
    for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY']) expect(env[k]).toBe('http://127.0.0.1:9999');
    expect(env.NO_PROXY).toBe('');
    expect(env.NODE_USE_ENV_PROXY).toBe('1');
    // env -i cannot take a child off the proxy: routing is forced, trust restored, canaries restored.
    expect(env.GRITH_EXEC_FORCE.split(',')).toEqual(
      expect.arrayContaining(['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'NO_PROXY', 'NODE_USE_ENV_PROXY']),
    );
    expect(env.GRITH_EXEC_ENV.split(',')).toEqual(
      expect.arrayContaining(['GITHUB_TOKEN', 'AWS_KEY', 'NODE_EXTRA_CA_CERTS', ...CA_BUNDLE_VARS]),
    );
    expect(env.NODE_EXTRA_CA_CERTS).toBe('/ca.pem');
    for (const k of CA_BUNDLE_VARS) expect(env[k]).toBe('/bundle.pem');
  });
});
