// Real local servers for the proxy tests: an HTTPS upstream with its own CA that records every byte it receives,
// a plain HTTP twin, a raw TCP recorder, and a grith proxy wired to a test GuardContext.
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Canary } from '../../src/core/canary.js';
import { ProxyServer, type ProxyServerOptions } from '../../src/guards/proxy/proxy-server.js';
import { CertificateAuthority } from '../../src/guards/proxy/tls-ca.js';
import { upstreamTrust } from '../../src/guards/proxy/upstream-trust.js';
import type { GuardContext } from '../../src/guards/guard-context.js';
import { variantBytes } from './canaries.js';

export async function tempDir(prefix = 'grith-proxy-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** A certificate authority for the upstream servers (what --upstream-ca names). */
export async function upstreamCa(): Promise<CertificateAuthority> {
  return CertificateAuthority.open(path.join(await tempDir('grith-upca-'), 'ca'));
}

export interface Upstream {
  port: number;
  /** Every byte any client sent, decrypted, in arrival order per connection. */
  received(): Buffer;
  requests: { method: string; url: string; headers: Record<string, unknown>; body: Buffer }[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

const defaultHandler: Handler = (req, res, body) => {
  const json = JSON.stringify({ method: req.method, url: req.url, length: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
};

function wire(server: http.Server, handler: Handler, upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): Omit<Upstream, 'port'> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Duplex>();
  const requests: Upstream['requests'] = [];
  const record = (s: Duplex): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
  };
  if (server instanceof https.Server) server.on('secureConnection', record);
  else server.on('connection', record);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const body: Buffer[] = [];
    req.on('data', (d: Buffer) => body.push(d));
    req.on('end', () => {
      const b = Buffer.concat(body);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: b });
      handler(req, res, b);
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (upgrade) upgrade(req, socket, head);
    else socket.destroy();
  });
  return {
    received: () => Buffer.concat(chunks),
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

export async function httpsUpstream(ca: CertificateAuthority, handler: Handler = defaultHandler, upgrade?: Parameters<typeof wire>[2]): Promise<Upstream> {
  const leaf = await ca.mintLeaf('127.0.0.1');
  const server = https.createServer({ cert: leaf.certPem + ca.certPem, key: leaf.keyPem, keepAlive: true });
  const w = wire(server, handler, upgrade);
  return { port: await listen(server), ...w };
}

export async function httpUpstream(handler: Handler = defaultHandler, upgrade?: Parameters<typeof wire>[2]): Promise<Upstream> {
  const server = http.createServer({ keepAlive: true });
  const w = wire(server, handler, upgrade);
  return { port: await listen(server), ...w };
}

/** A TCP server that records what it receives and answers each chunk with "ok\n". */
export async function tcpRecorder(): Promise<Upstream> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('data', (d) => {
      chunks.push(Buffer.from(d));
      s.write('ok\n');
    });
    s.on('error', () => undefined);
  });
  return {
    port: await listen(server),
    received: () => Buffer.concat(chunks),
    requests: [],
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface TestProxy {
  proxy: ProxyServer;
  ca: CertificateAuthority;
  /** PEM file clients trust (grith's CA). */
  caFile: string;
  url: string;
  close(): Promise<void>;
}

export async function startProxy(ctx: GuardContext, upCa: CertificateAuthority, opts: Partial<ProxyServerOptions> = {}): Promise<TestProxy> {
  const ca = await CertificateAuthority.open(path.join(await tempDir('grith-pxca-'), 'ca'));
  const trust = await upstreamTrust({ upstreamCaFile: upCa.paths.certFile });
  const proxy = await ProxyServer.start({ ctx, ca, trust, ...opts });
  return { proxy, ca, caFile: ca.paths.certFile, url: proxy.url, close: () => proxy.close() };
}

/** Neither the canary nor any encoded form of it the matcher knows. */
export function leakedForms(buf: Buffer, canary: Canary): string[] {
  const out: string[] = [];
  if (buf.includes(Buffer.from(canary.value))) out.push('plain');
  variantBytes(canary).forEach((v, i) => {
    if (buf.includes(v)) out.push(`variant#${i}`);
  });
  return out;
}
