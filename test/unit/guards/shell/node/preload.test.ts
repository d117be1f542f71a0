// Which Node versions need the session's proxy preload, and how it joins NODE_OPTIONS.
import { describe, expect, it } from 'vitest';
import { nativeEnvProxy, withNodeImport } from '../../../../../src/guards/shell/node/preload.js';
import { buildSessionEnv } from '../../../../../src/session/shell/env.js';

describe('nativeEnvProxy', () => {
  it('is false where NODE_USE_ENV_PROXY is ignored, true from 22.21 and 24.5 on', () => {
    for (const v of ['18.20.0', '20.20.2', '22.20.0', '23.11.0', '24.4.1']) expect(nativeEnvProxy(v), v).toBe(false);
    for (const v of ['22.21.0', '22.23.1', '24.5.0', '25.0.0', '26.1.0']) expect(nativeEnvProxy(v), v).toBe(true);
  });
});

describe('withNodeImport', () => {
  const url = 'file:///opt/grith/dist/src/guards/shell/node/env-proxy.js';
  it('adds the flag after what the user had, once', () => {
    expect(withNodeImport(undefined, url)).toBe(`--import=${url}`);
    expect(withNodeImport('  --max-old-space-size=4096 ', url)).toBe(`--max-old-space-size=4096 --import=${url}`);
    const once = withNodeImport('--enable-source-maps', url);
    expect(withNodeImport(once, url)).toBe(once);
  });
});

describe('buildSessionEnv and the preload', () => {
  const input = { base: { PATH: '/bin', NODE_OPTIONS: '--trace-warnings' }, execLib: '/g/lib.so', execSock: '/t/s.sock', session: 's1', placed: new Map(), shell: '/bin/bash' };
  it('is preloaded when the session has a proxy, after the user\'s options', () => {
    const env = buildSessionEnv({ ...input, proxy: { url: 'http://127.0.0.1:9', caCert: '/ca.pem', caBundle: '/b.pem' } });
    expect(env.NODE_OPTIONS).toMatch(/^--trace-warnings --import=file:\/\/\/.*\/dist\/src\/guards\/shell\/node\/env-proxy\.js$/);
  });
  it('is not preloaded without a proxy', () => {
    expect(buildSessionEnv(input).NODE_OPTIONS).toBe('--trace-warnings');
  });
});
