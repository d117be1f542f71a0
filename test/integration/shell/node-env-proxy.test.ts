// The session's Node preload (compiled dist/src/guards/shell/node/env-proxy.js) in real Node processes: fetch, http.get and
// https.get go through CONNECT tunnels of the proxy named in the environment; a refused tunnel fails the request and
// nothing reaches the server; without proxy variables nothing changes.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../../src/guards/proxy/tls-ca.js';
import { nativeEnvProxy, nodeProxyPreload } from '../../../src/guards/shell/node/preload.js';

let dir: string;
let caFile: string;
let hs: https.Server;
let hp: http.Server;
let proxy: http.Server;
const seen: string[] = [];
const tunnels: string[] = [];
/** CONNECT targets the proxy refuses with 403, as grith's does when a canary is in the name. */
const refused = new Set<string>();

const listen = (s: net.Server): Promise<number> => new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'grith-nodepre-'));
  const ca = await CertificateAuthority.open(path.join(dir, 'ca'));
  const leaf = await ca.mintLeaf('127.0.0.1');
  caFile = path.join(dir, 'ca.pem');
  await writeFile(caFile, ca.certPem);
  const handler = (tag: string) => (q: http.IncomingMessage, s: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    q.on('data', (d: Buffer) => chunks.push(d));
    q.on('end', () => {
      seen.push(`${tag} ${q.method} ${q.url} ${Buffer.concat(chunks).toString()}`);
      s.end('ok');
    });
  };
  hs = https.createServer({ cert: leaf.certPem + ca.certPem, key: leaf.keyPem }, handler('https'));
  hp = http.createServer(handler('http'));
  proxy = http.createServer((q, s) => {
    tunnels.push(`absolute ${q.url}`);
    s.writeHead(400).end();
  });
  proxy.on('connect', (req: http.IncomingMessage, sock: net.Socket, head: Buffer) => {
    tunnels.push(`CONNECT ${req.url} auth=${req.headers['proxy-authorization'] ?? ''}`);
    if (refused.has(req.url ?? '')) return void sock.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    const [host, port] = (req.url ?? '').split(':');
    const up = net.connect(Number(port), host, () => {
      sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) up.write(head);
      sock.pipe(up);
      up.pipe(sock);
    });
    up.on('error', () => sock.destroy());
    sock.on('error', () => up.destroy());
  });
  await Promise.all([listen(hs), listen(hp), listen(proxy)]);
});

afterAll(async () => {
  for (const s of [hs, hp, proxy]) s?.closeAllConnections();
  await Promise.all([hs, hp, proxy].map((s) => new Promise((r) => s?.close(r))));
  await rm(dir, { recursive: true, force: true });
});

const CLIENT = `
const http = require('node:http'), https = require('node:https');
const get = (m, u) => new Promise((res, rej) => m.get(u, (r) => { r.resume(); r.on('end', () => res(r.statusCode)); }).on('error', rej));
const post = (u) => fetch(u, { method: 'POST', body: 'hello' }).then((r) => r.status);
const [kind, url] = process.argv.slice(1);
const p = kind === 'fetch' ? post(url) : get(url.startsWith('https') ? https : http, url);
p.then((s) => console.log('status', s), (e) => console.log('error', String((e && e.cause) || e)));
`;

function client(kind: 'fetch' | 'get', url: string, proxied: boolean): Promise<string> {
  const preload = nodeProxyPreload();
  if (!preload) throw new Error('build first: dist/src/guards/shell/node/env-proxy.js is missing');
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--import=${preload}`, NODE_EXTRA_CA_CERTS: caFile };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy']) delete env[k];
  if (proxied) {
    const url = `http://grith:s3cret@127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    env.HTTP_PROXY = env.HTTPS_PROXY = url;
  }
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', CLIENT, kind, url], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('error', reject);
    c.on('close', () => resolve(out.trim()));
  });
}

const port = (s: net.Server): number => (s.address() as AddressInfo).port;
const reset = (): void => {
  seen.length = 0;
  tunnels.length = 0;
};

describe.skipIf(nativeEnvProxy())('Node preload of grith shell sessions (Node without NODE_USE_ENV_PROXY)', () => {
  it('the compiled preload exists', () => {
    expect(existsSync(new URL(nodeProxyPreload()!))).toBe(true);
  });

  for (const [kind, scheme] of [
    ['fetch', 'https'],
    ['fetch', 'http'],
    ['get', 'https'],
    ['get', 'http'],
  ] as const) {
    it(`${kind} ${scheme}: through a CONNECT tunnel of the proxy, with its credentials`, async () => {
      reset();
      const target = scheme === 'https' ? port(hs) : port(hp);
      const out = await client(kind, `${scheme}://127.0.0.1:${target}/p`, true);
      expect(out).toBe('status 200');
      const auth = `Basic ${Buffer.from('grith:s3cret').toString('base64')}`;
      expect(tunnels).toEqual([`CONNECT 127.0.0.1:${target} auth=${auth}`]);
      expect(seen).toEqual([`${scheme} ${kind === 'fetch' ? 'POST' : 'GET'} /p ${kind === 'fetch' ? 'hello' : ''}`]);
    });
  }

  it('a refused tunnel fails the request and nothing reaches the server', async () => {
    reset();
    refused.add(`127.0.0.1:${port(hp)}`);
    try {
      expect(await client('fetch', `http://127.0.0.1:${port(hp)}/leak`, true)).toMatch(/^error .*refused the connection .*403/);
      expect(await client('get', `http://127.0.0.1:${port(hp)}/leak`, true)).toMatch(/^error .*403/);
    } finally {
      refused.clear();
    }
    expect(tunnels.length).toBe(2);
    expect(seen).toEqual([]);
  });

  it('without proxy variables the preload changes nothing: direct connections', async () => {
    reset();
    expect(await client('fetch', `https://127.0.0.1:${port(hs)}/d`, false)).toBe('status 200');
    expect(await client('get', `http://127.0.0.1:${port(hp)}/d`, false)).toBe('status 200');
    expect(tunnels).toEqual([]);
    expect(seen.length).toBe(2);
  });
});
