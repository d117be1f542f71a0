// Real clients through grith proxy with 100 canaries registered: curl-like tools, Python, Node fetch, git, npm.
// Ordinary work passes unchanged; a git push carrying a canary is refused.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCanary } from '../../support/canaries.js';
import { TestGuardContext } from '../../support/guard-context.js';
import { bareRepo, gitHttpServer, type GitServer } from '../../support/proxy-git.js';
import { httpsUpstream, startProxy, tempDir, upstreamCa, type TestProxy, type Upstream } from '../../support/proxy-harness.js';
import type { CertificateAuthority } from '../../../src/guards/proxy/tls-ca.js';

const run = promisify(execFile);
const canary = makeCanary({ id: 'c1' });
const ctx = new TestGuardContext([canary, ...Array.from({ length: 99 }, (_, i) => makeCanary({ id: `o${i}` }))]);
/** What a client shows for the refusal: grith's own words, the canary's label and the event's number. */
const blocked = () =>
  `403 grith blocked this request: it carries the credential canary "${canary.label}", a decoy planted by grith to catch exfiltration (event #${ctx.events.length})`;
let upCa: CertificateAuthority;
let up: Upstream;
let px: TestProxy;

beforeAll(async () => {
  upCa = await upstreamCa();
  up = await httpsUpstream(upCa);
  px = await startProxy(ctx, upCa);
});
afterAll(async () => {
  await px?.close();
  await up?.close();
});

const firedCount = (): number => ctx.events.filter((e) => e.kind === 'canary.fired').length;

function proxyEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HTTPS_PROXY: px.url,
    HTTP_PROXY: px.url,
    https_proxy: px.url,
    http_proxy: px.url,
    NO_PROXY: '',
    no_proxy: '',
    ...extra,
  };
}

describe('Python urllib', () => {
  const script = `
import json, ssl, sys, urllib.request, urllib.error
ctx = ssl.create_default_context(cafile=sys.argv[1])
opener = urllib.request.build_opener(urllib.request.ProxyHandler(), urllib.request.HTTPSHandler(context=ctx))
data = sys.argv[3].encode() if sys.argv[3] else None
try:
    r = opener.open(urllib.request.Request(sys.argv[2], data=data), timeout=20)
    print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
`;
  const py = (url: string, body = ''): Promise<string> =>
    run('python3', ['-c', script, px.caFile, url, body], { env: proxyEnv() }).then((r) => r.stdout.trim());

  it('GET and POST pass; a canary in the body is refused', async () => {
    expect(await py(`https://127.0.0.1:${up.port}/py?q=1`)).toMatch(/^200 .*"url":"\/py\?q=1"/);
    expect(await py(`https://127.0.0.1:${up.port}/py`, 'x=1')).toMatch(/^200 .*"method":"POST"/);
    const n = firedCount();
    expect(await py(`https://127.0.0.1:${up.port}/py`, `key=${canary.value}`)).toBe(blocked());
    expect(firedCount()).toBe(n + 1);
  });
});

describe('Node fetch (Node 20: undici EnvHttpProxyAgent; NODE_USE_ENV_PROXY needs Node ≥ 22.21/24)', () => {
  const script = `
const { fetch, EnvHttpProxyAgent } = require('undici');
const tls = require('node:tls');
const fs = require('node:fs');
const ca = [...tls.rootCertificates, fs.readFileSync(process.argv[1], 'utf8')];
const dispatcher = new EnvHttpProxyAgent({ requestTls: { ca }, proxyTls: { ca } });
fetch(process.argv[2], { dispatcher, method: process.argv[3] ? 'POST' : 'GET', body: process.argv[3] || undefined })
  .then(async (r) => { console.log(r.status, await r.text()); process.exit(0); })
  .catch((e) => { console.log('ERR', e.cause?.code ?? e.message); process.exit(0); });
`;
  const node = (url: string, body = ''): Promise<string> =>
    run(process.execPath, ['-e', script, px.caFile, url, body], { env: proxyEnv(), cwd: path.resolve('.') }).then((r) => r.stdout.trim());

  it('GET and POST pass; a canary in the body is refused', async () => {
    expect(await node(`https://127.0.0.1:${up.port}/node?x=2`)).toMatch(/^200 .*"url":"\/node\?x=2"/);
    expect(await node(`https://127.0.0.1:${up.port}/node`, 'hello')).toMatch(/^200 .*"length":5/);
    expect(await node(`https://127.0.0.1:${up.port}/node`, JSON.stringify({ token: canary.value }))).toBe(blocked());
  });
});

describe('git over HTTPS (git http-backend)', () => {
  let git: GitServer;
  let root: string;
  let work: string;
  const gitEnv = (): NodeJS.ProcessEnv => proxyEnv({ GIT_SSL_CAINFO: px.caFile, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', HOME: root });
  const g = (cwd: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> =>
    run('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, env: gitEnv() });

  beforeAll(async () => {
    root = await tempDir('grith-git-');
    await mkdir(path.join(root, 'srv'));
    work = path.join(root, 'seed');
    bareRepo(path.join(root, 'srv'), 'demo.git', work);
    git = await gitHttpServer(upCa, path.join(root, 'srv'));
  });
  afterAll(async () => {
    await git?.close();
  });

  it('clone, fetch and a clean push work; pushing a commit that carries a canary is refused', async () => {
    const n = firedCount();
    const clone = path.join(root, 'clone');
    await g(root, 'clone', '-q', git.url('demo.git'), clone);
    expect(await readFile(path.join(clone, 'README.md'), 'utf8')).toBe('# demo\n');
    await g(clone, 'fetch', '-q', 'origin');

    await writeFile(path.join(clone, 'notes.txt'), 'ordinary change\n');
    await g(clone, 'add', '.');
    await g(clone, 'commit', '-qm', 'clean');
    await g(clone, 'push', '-q', 'origin', 'main');
    expect(firedCount()).toBe(n);

    // The canary rides inside a modified file (git sends it as a zlib-deflated delta in the pack).
    const numbers = await readFile(path.join(clone, 'numbers.txt'), 'utf8');
    await writeFile(path.join(clone, 'numbers.txt'), numbers.replace('1500\n', `1500\nexport GITHUB_TOKEN=${canary.value}\n`));
    await g(clone, 'commit', '-qam', 'oops');
    const bad = await g(clone, 'push', 'origin', 'main').then(
      () => null,
      (e: { stderr: string }) => e.stderr,
    );
    expect(bad).not.toBeNull();
    expect(bad).toMatch(/403/);
    expect(firedCount()).toBeGreaterThan(n);
    const fired = ctx.events.filter((e) => e.kind === 'canary.fired').at(-1);
    expect(fired).toMatchObject({ canaryId: 'c1', detail: expect.objectContaining({ method: 'POST', path: '/demo.git/git-receive-pack' }) });
    const { stdout } = await run('git', ['-C', path.join(root, 'srv', 'demo.git'), 'log', '--format=%s', 'main']);
    expect(stdout.split('\n')).toContain('clean');
    expect(stdout).not.toContain('oops');
    // Nothing of the canary reached the server's object store either.
    const grep = await run('git', ['-C', path.join(root, 'srv', 'demo.git'), 'grep', canary.value, 'main']).catch(() => ({ stdout: '' }));
    expect(grep.stdout).toBe('');
  });
});

describe('npm install from the real registry through the proxy', () => {
  it('installs a small package', async () => {
    // The registry is outside this machine: when it is unreachable directly, the case is skipped, not failed.
    const reachable = await run('npm', ['view', 'is-number@7.0.0', 'version'], { timeout: 20_000 }).then(
      () => true,
      () => false,
    );
    if (!reachable) {
      console.warn('npm registry unreachable directly: skipping the npm-through-proxy case');
      return;
    }
    const prefix = await tempDir('grith-npm-');
    await writeFile(path.join(prefix, 'package.json'), '{"name":"t","version":"1.0.0","private":true}\n');
    const n = firedCount();
    // cafile is grith's CA alone: a connection that bypassed the proxy would fail verification.
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-online', '--cache', path.join(prefix, '.cache'), 'is-number@7.0.0'], {
      cwd: prefix,
      timeout: 60_000,
      env: proxyEnv({ npm_config_proxy: px.url, npm_config_https_proxy: px.url, npm_config_cafile: px.caFile, npm_config_strict_ssl: 'true' }),
    });
    const pkg = JSON.parse(await readFile(path.join(prefix, 'node_modules/is-number/package.json'), 'utf8'));
    expect(pkg.version).toBe('7.0.0');
    expect(firedCount()).toBe(n);
  }, 90_000);
});
