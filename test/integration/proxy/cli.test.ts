// grith proxy as a user runs it: the compiled CLI, the real store and event log, live canary changes, clear errors.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, grith, tempHome } from '../../support/cli.js';
import { httpsUpstream, upstreamCa, type Upstream } from '../../support/proxy-harness.js';

const run = promisify(execFile);
let home: string;
let up: Upstream;
let upCaFile: string;
let child: ChildProcess;
let info: { url: string; port: number; caCert: string; caBundle: string; auth: boolean };

async function addCanary(label: string): Promise<{ id: string; value: string }> {
  const added = JSON.parse((await grith(['canary', 'add', '--format', 'github-pat', '--label', label, '--json'], { home })).stdout);
  const shown = JSON.parse((await grith(['canary', 'show', added.id, '--reveal', '--json'], { home })).stdout);
  return { id: added.id, value: shown.value ?? shown.canary?.value };
}

/** The response status, or the proxy's answer to CONNECT when the tunnel was refused. */
async function curl(url: string): Promise<number> {
  const r = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{http_connect}', '--max-time', '10', '--proxy', info.url, '--cacert', info.caCert, url], {
    env: { ...process.env, NO_PROXY: '', no_proxy: '' },
  }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  const [code, connect] = r.stdout.split(' ').map(Number);
  return code !== 0 ? code : connect;
}

let proxyStderr = '';

function startProxy(args: string[]): Promise<{ child: ChildProcess; first: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [BIN, 'proxy', ...args], { env: { ...process.env, GRITH_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stderr!.on('data', (d) => (proxyStderr += d));
    let out = '';
    c.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('}\n')) resolve({ child: c, first: out });
    });
    c.on('error', reject);
    c.on('close', () => resolve({ child: c, first: out }));
  });
}

beforeAll(async () => {
  home = await tempHome('grith-proxy-cli-');
  const ca = await upstreamCa();
  upCaFile = ca.paths.certFile;
  up = await httpsUpstream(ca);
  const first = await addCanary('first');
  expect(first.value).toMatch(/^ghp_/);
  const started = await startProxy(['--json', '--upstream-ca', upCaFile]);
  child = started.child;
  info = JSON.parse(started.first);
});
afterAll(async () => {
  child?.kill('SIGTERM');
  await up?.close();
});

describe('grith proxy (CLI)', () => {
  it('prints its URL and CA as JSON, binds 127.0.0.1, creates the CA with a private key', async () => {
    expect(info.url).toBe(`http://127.0.0.1:${info.port}`);
    expect(info.caCert).toBe(path.join(home, 'ca', 'grith-ca.crt'));
    expect(await readFile(info.caBundle, 'utf8')).toContain(await readFile(info.caCert, 'utf8'));
    const ca = JSON.parse((await grith(['proxy', 'ca', '--json'], { home })).stdout);
    expect(ca).toMatchObject({ caCert: info.caCert, bundle: info.caBundle });
  });

  it('passes clean traffic and refuses a stored canary, recording the event in events.jsonl', async () => {
    expect(await curl(`https://127.0.0.1:${up.port}/ok`)).toBe(200);
    const store = JSON.parse(await readFile(path.join(home, 'store.json'), 'utf8'));
    const value = store.canaries[0].value as string;
    expect(await curl(`https://127.0.0.1:${up.port}/x?k=${value}`)).toBe(403);
    await new Promise((r) => setTimeout(r, 200));
    const events = (await readFile(path.join(home, 'events.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const fired = events.filter((e) => e.kind === 'canary.fired' && e.guard === 'proxy');
    expect(fired.length).toBe(1);
    expect(fired[0]).toMatchObject({ action: 'deny', canaryId: store.canaries[0].id, where: `127.0.0.1:${up.port}` });
    expect(JSON.stringify(events)).not.toContain(value);
    expect((await grith(['events', '--verify'], { home })).code).toBe(0);
    // Issue 14: the proxy on its own printed nothing when it blocked a canary; now one banner line on stderr.
    expect(proxyStderr).toMatch(new RegExp(`grith ▲ CANARY FIRED \\[proxy\\] request blocked: canary "[^"]+" \\(fp [0-9a-f]{12}, plain\\) at 127\\.0\\.0\\.1:${up.port}`));
    expect(proxyStderr).not.toContain(value);
  });

  it('a canary added while it runs is refused within a second', async () => {
    const late = await addCanary('late');
    const t0 = Date.now();
    let status = 0;
    while (Date.now() - t0 < 3000) {
      status = await curl(`https://127.0.0.1:${up.port}/x?k=${late.value}`);
      if (status === 403) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(403);
    // The store watch reloads within 1 s; the rest of the bound is curl start-up on a loaded machine.
    expect(Date.now() - t0).toBeLessThan(2500);
  });

  it('a corrupt store means 503 for everything until it is fixed', async () => {
    const file = path.join(home, 'store.json');
    const good = await readFile(file, 'utf8');
    await writeFile(file, '{ not json');
    try {
      let status = 0;
      for (let i = 0; i < 30 && status !== 503; i++) {
        status = await curl(`https://127.0.0.1:${up.port}/ok`);
        if (status !== 503) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(503);
    } finally {
      await writeFile(file, good);
    }
    let status = 0;
    for (let i = 0; i < 30 && status !== 200; i++) {
      status = await curl(`https://127.0.0.1:${up.port}/ok`);
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it('a port in use is one clear line and a non-zero exit', async () => {
    const r = await grith(['proxy', '--port', String(info.port)], { home });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`port ${info.port} on 127.0.0.1 is already in use`);
    const j = await grith(['proxy', '--port', String(info.port), '--json'], { home });
    expect(JSON.parse(j.stdout).error.message).toContain('already in use');
  });

  it('a damaged CA is refused with one line and left untouched', async () => {
    const other = await tempHome('grith-proxy-badca-');
    await grith(['proxy', 'ca'], { home: other });
    const key = path.join(other, 'ca', 'grith-ca.key');
    await writeFile(key, 'damaged\n');
    const r = await grith(['proxy', '--port', '0'], { home: other });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('proxy CA');
    expect(await readFile(key, 'utf8')).toBe('damaged\n');
  });

  it('--auth requires the credential printed in its URL', async () => {
    const s = await startProxy(['--json', '--auth', '--upstream-ca', upCaFile]);
    try {
      const j = JSON.parse(s.first);
      expect(j.auth).toBe(true);
      expect(j.url).toMatch(/^http:\/\/grith:[A-Za-z0-9_-]+@127\.0\.0\.1:\d+$/);
      const bare = j.url.replace(/grith:[^@]+@/, '');
      const code = async (proxy: string): Promise<string> =>
        (
          await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--proxy', proxy, '--cacert', j.caCert, `https://127.0.0.1:${up.port}/ok`]).catch(
            (e: { stdout: string }) => ({ stdout: e.stdout }),
          )
        ).stdout;
      expect(await code(bare)).toMatch(/^(407|000)$/);
      expect(await code(j.url)).toBe('200');
    } finally {
      s.child.kill('SIGTERM');
    }
  });
});
