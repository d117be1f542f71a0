// Proxy benchmark: direct vs through `grith proxy` (TLS intercepted, 100 canaries) against a local HTTPS server.
// Keep-alive latency p50/p99 over 2,000 small GETs, and throughput of one 100 MiB POST. Three processes: this client,
// the upstream (bench/proxy/upstream.ts) and the real CLI proxy (bin/run.js proxy).
// Usage: npm run build && node dist/bench/proxy/run.js [--requests 2000] [--post-mib 100] [--canaries 100] [--json]
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { Canary } from '../../src/core/canary.js';
import { getFormat } from '../../src/core/formats/index.js';
import { CertificateAuthority } from '../../src/guards/proxy/tls-ca.js';
import { CanaryStore } from '../../src/store/canary-store.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const flag = (name: string, d: number): number => {
  const i = process.argv.indexOf(name);
  return i === -1 ? d : Number(process.argv[i + 1]);
};
const REQUESTS = flag('--requests', 2000);
const POST_MIB = flag('--post-mib', 100);
const CANARIES = flag('--canaries', 100);
const json = process.argv.includes('--json');
const FORMATS = ['github-pat', 'aws', 'gitlab-pat', 'npm', 'anthropic', 'generic'];

async function setup(): Promise<{ home: string; upCaFile: string; cert: string; key: string }> {
  const root = mkdtempSync(path.join(tmpdir(), 'grith-bench-proxy-'));
  const home = path.join(root, 'home');
  const store = await CanaryStore.open(home, { create: true });
  await store.update((doc) => {
    for (let i = 0; i < CANARIES; i++) {
      const format = FORMATS[i % FORMATS.length];
      const t = getFormat(format).generate();
      const c: Canary = {
        id: `bench${i}`,
        label: `bench ${i}`,
        format,
        value: t.value,
        ...(t.companions ? { companions: t.companions } : {}),
        placements: [],
        createdAt: new Date().toISOString(),
        rotatedAt: null,
        terminate: false,
        fires: 0,
        lastFiredAt: null,
      };
      doc.canaries.push(c);
    }
  });
  const upCa = await CertificateAuthority.open(path.join(root, 'upca'));
  const leaf = await upCa.mintLeaf('127.0.0.1');
  const cert = path.join(root, 'up.crt');
  const key = path.join(root, 'up.key');
  writeFileSync(cert, leaf.certPem + upCa.certPem);
  writeFileSync(key, leaf.keyPem, { mode: 0o600 });
  return { home, upCaFile: upCa.paths.certFile, cert, key };
}

function startUpstream(cert: string, key: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, 'upstream.js'), [cert, key], { stdio: 'inherit' });
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
    child.once('error', reject);
  });
}

function startProxy(home: string, upCaFile: string): Promise<{ child: ChildProcess; port: number; caCert: string }> {
  return new Promise((resolve, reject) => {
    const nodeArgs = (process.env.GRITH_BENCH_PROXY_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, path.join(repo, 'bin/run.js'), 'proxy', '--json', '--upstream-ca', upCaFile], {
      env: { ...process.env, GRITH_HOME: home },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('}\n')) {
        const j = JSON.parse(out);
        resolve({ child, port: j.port, caCert: j.caCert });
      }
    });
    child.once('error', reject);
  });
}

/** A keep-alive HTTPS agent, optionally tunnelling through an HTTP proxy with CONNECT. */
function agentFor(ca: string, proxyPort?: number): https.Agent {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
  if (proxyPort === undefined) return agent;
  (agent as unknown as { createConnection: unknown }).createConnection = (opts: { host: string; port: number }, cb: (e: Error | null, s?: net.Socket) => void) => {
    const raw = net.connect(proxyPort, '127.0.0.1', () => raw.write(`CONNECT ${opts.host}:${opts.port} HTTP/1.1\r\nHost: ${opts.host}:${opts.port}\r\n\r\n`));
    raw.once('data', (d: Buffer) => {
      if (!d.toString('latin1').startsWith('HTTP/1.1 200')) return cb(new Error(`CONNECT refused: ${d.toString('latin1').split('\r\n')[0]}`));
      const s = tls.connect({ socket: raw, host: opts.host, ca }, () => cb(null, s));
      s.once('error', (e) => cb(e));
    });
    raw.once('error', (e) => cb(e));
    return undefined;
  };
  return agent;
}

function request(agent: https.Agent, port: number, method: string, body?: { chunks: number; chunk: Buffer }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path: '/bench', agent }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(b) : reject(new Error(`status ${res.statusCode}: ${b}`))));
    });
    req.on('error', reject);
    if (!body) return void req.end();
    let i = 0;
    const pump = (): void => {
      while (i < body.chunks) {
        i++;
        if (!req.write(body.chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

async function latency(agent: https.Agent, port: number): Promise<{ p50: number; p99: number; mean: number }> {
  for (let i = 0; i < 50; i++) await request(agent, port, 'GET'); // warm-up: TLS, leaf minting, JIT
  const t: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const s = process.hrtime.bigint();
    await request(agent, port, 'GET');
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(t.length * 0.5)], p99: t[Math.floor(t.length * 0.99)], mean: t.reduce((a, b) => a + b, 0) / t.length };
}

async function throughput(agent: https.Agent, port: number): Promise<number> {
  // Ordinary text (source-like), no canary: what a large upload looks like.
  const line = 'const value = compute(input, options); // ordinary source text for the proxy bench\n';
  const chunk = Buffer.from(line.repeat(Math.ceil(1048576 / line.length)).slice(0, 1048576));
  const s = process.hrtime.bigint();
  const got = await request(agent, port, 'POST', { chunks: POST_MIB, chunk });
  const secs = Number(process.hrtime.bigint() - s) / 1e9;
  if (Number(got) !== POST_MIB * 1048576) throw new Error(`upstream received ${got} bytes`);
  return (POST_MIB * 1048576) / 1e6 / secs;
}

const { home, upCaFile, cert, key } = await setup();
const up = await startUpstream(cert, key);
const px = await startProxy(home, upCaFile);
const { readFileSync } = await import('node:fs');
const upCa = readFileSync(upCaFile, 'utf8');
const pxCa = readFileSync(px.caCert, 'utf8');
try {
  const direct = await latency(agentFor(upCa), up.port);
  const proxied = await latency(agentFor(pxCa, px.port), up.port);
  const directMBs = await throughput(agentFor(upCa), up.port);
  const proxiedMBs = await throughput(agentFor(pxCa, px.port), up.port);
  const result = {
    canaries: CANARIES,
    requests: REQUESTS,
    postMiB: POST_MIB,
    latencyMs: { direct, proxied, addedP50: proxied.p50 - direct.p50, addedP99: proxied.p99 - direct.p99 },
    postMBps: { direct: directMBs, proxied: proxiedMBs, ratio: proxiedMBs / directMBs },
    targets: {
      addedP50: proxied.p50 - direct.p50 <= 1,
      addedP99: proxied.p99 - direct.p99 <= 5,
      postRatio: proxiedMBs / directMBs >= 0.5,
    },
  };
  if (json) console.log(JSON.stringify(result, null, 2));
  else {
    const f = (n: number): string => n.toFixed(2);
    console.log(`grith proxy bench: ${CANARIES} canaries, TLS intercepted, ${REQUESTS} keep-alive GETs, ${POST_MIB} MiB POST`);
    console.log('| measure | direct | via grith proxy | added / ratio | target |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(`| latency p50 (ms) | ${f(direct.p50)} | ${f(proxied.p50)} | +${f(proxied.p50 - direct.p50)} | ≤ +1 ms ${result.targets.addedP50 ? 'met' : 'MISSED'} |`);
    console.log(`| latency p99 (ms) | ${f(direct.p99)} | ${f(proxied.p99)} | +${f(proxied.p99 - direct.p99)} | ≤ +5 ms ${result.targets.addedP99 ? 'met' : 'MISSED'} |`);
    console.log(`| POST throughput (MB/s) | ${f(directMBs)} | ${f(proxiedMBs)} | ×${f(proxiedMBs / directMBs)} | ≥ ×0.5 ${result.targets.postRatio ? 'met' : 'MISSED'} |`);
  }
} finally {
  px.child.kill('SIGTERM');
  up.child.kill('SIGTERM');
}
