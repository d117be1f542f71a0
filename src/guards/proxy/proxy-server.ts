// `grith proxy` at runtime: an HTTP/1.1 forward proxy on 127.0.0.1 with CONNECT, TLS interception and scanning.
//
// Front server: what clients talk to (absolute-form requests, CONNECT, Upgrade), with the optional session
// credential. Inner server: never listens; it serves the requests found inside CONNECT tunnels (decrypted TLS or
// plain HTTP), whose destination is the tunnel's, not the Host header's.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ProxyError } from '../../core/errors.js';
import type { GuardContext } from '../guard-context.js';
import { forwardRequest, refuse } from './forward-http.js';
import type { Destination } from './proxy-events.js';
import { partialPrefixesFor } from './partial-prefixes.js';
import type { ProxyRuntime } from './runtime.js';
import type { ModelChannel } from './model-channel.js';
import type { CertificateAuthority } from './tls-ca.js';
import { handleConnect, handleUpgrade, parseAuthority, rawResponse } from './tunnels.js';

export interface ProxyServerOptions {
  ctx: GuardContext;
  ca: CertificateAuthority;
  /** PEM certificates upstreams are verified against (see upstream-trust.ts). */
  trust: string[];
  /** 0 or absent: any free port. */
  port?: number;
  /** Require this credential (user `grith`) in Proxy-Authorization; `true` generates one. */
  token?: string | true;
  idleMs?: number;
  maxHold?: number;
  /** The session agent's model channel (grith shell -- PROGRAM); absent: a canary is denied everywhere. */
  model?: ModelChannel;
  /** How the user makes a private CA trusted, for the 502 an upstream certificate rejection gets. */
  upstreamCaHint?: string;
}

export const PROXY_HOST = '127.0.0.1';

export class ProxyServer {
  private readonly sockets = new Set<Duplex>();
  private unwatch: () => void = () => undefined;

  private constructor(
    private readonly front: http.Server,
    private readonly rt: ProxyRuntime,
    readonly port: number,
    readonly token: string | null,
  ) {}

  /** The proxy URL clients use (with the credential in it when one is required). */
  get url(): string {
    return this.token ? `http://grith:${this.token}@${PROXY_HOST}:${this.port}` : `http://${PROXY_HOST}:${this.port}`;
  }

  static async start(opts: ProxyServerOptions): Promise<ProxyServer> {
    const token = opts.token === true ? randomBytes(18).toString('base64url') : (opts.token ?? null);
    const agentOpts = { keepAlive: true, maxFreeSockets: 64, scheduling: 'lifo' as const };
    // No request timeout: a long upload through the proxy is legitimate; idle sockets still time out upstream.
    const serverOpts = { keepAlive: true, requestTimeout: 0 };
    const inner = http.createServer(serverOpts);
    // Parsing hundreds of root certificates costs milliseconds: do it once, not per upstream connection.
    const upstreamContext = createSecureContext({ ca: opts.trust });
    const rt: ProxyRuntime = {
      ctx: opts.ctx,
      ca: opts.ca,
      trust: opts.trust,
      httpAgent: new http.Agent(agentOpts),
      upstreamContext,
      httpsAgent: new https.Agent({ ...agentOpts, secureContext: upstreamContext }),
      idleMs: opts.idleMs ?? 10,
      maxHold: opts.maxHold ?? 256 * 1048576,
      inner,
      tunnels: new WeakMap(),
      clients: new WeakMap(),
      model: opts.model,
      upstreamCaHint: opts.upstreamCaHint ?? 'grith proxy --upstream-ca FILE',
    };
    const front = http.createServer(serverOpts);
    const expected = token ? Buffer.from(`Basic ${Buffer.from(`grith:${token}`).toString('base64')}`) : null;
    const authorized = (req: IncomingMessage): boolean => {
      if (!expected) return true;
      const got = Buffer.from(req.headers['proxy-authorization'] ?? '');
      return got.length === expected.length && timingSafeEqual(got, expected);
    };
    const AUTH_BODY = 'grith proxy: proxy credential required (use the URL grith proxy printed)\n';

    front.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!authorized(req)) {
        res.writeHead(407, { 'proxy-authenticate': 'Basic realm="grith"', 'content-type': 'text/plain', connection: 'close' });
        res.end(AUTH_BODY);
        return;
      }
      const t = absoluteTarget(req.url ?? '');
      if (!t) {
        refuse(res, { status: 400, body: 'grith proxy: this is a forward proxy; set it as HTTP_PROXY/HTTPS_PROXY\n' });
        return;
      }
      forwardRequest(rt, req, res, t.dest, t.path);
    });
    front.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      if (!authorized(req)) {
        rawResponse(socket, 407, AUTH_BODY, 'Proxy-Authenticate: Basic realm="grith"\r\n');
        return;
      }
      void handleConnect(rt, req, socket, head).catch(() => socket.destroy());
    });
    front.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!authorized(req)) {
        rawResponse(socket, 407, AUTH_BODY, 'Proxy-Authenticate: Basic realm="grith"\r\n');
        return;
      }
      const t = absoluteTarget(req.url ?? '');
      if (!t) {
        rawResponse(socket, 400, 'grith proxy: this is a forward proxy\n');
        return;
      }
      handleUpgrade(rt, req, socket, head, t.dest, t.path);
    });
    inner.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const dest = rt.tunnels.get(req.socket);
      if (!dest) return void req.socket.destroy();
      forwardRequest(rt, req, res, dest, innerPath(req.url ?? '/'));
    });
    inner.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const dest = rt.tunnels.get(socket as Socket);
      if (!dest) return void socket.destroy();
      handleUpgrade(rt, req, socket, head, dest, innerPath(req.url ?? '/'));
    });
    for (const s of [front, inner]) s.on('clientError', (_e, socket: Duplex) => socket.destroy());

    const server = await new Promise<ProxyServer>((resolve, reject) => {
      front.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE')
          reject(new ProxyError(`port ${opts.port} on ${PROXY_HOST} is already in use`, 'choose another --port, or omit it for a free one'));
        else if (e.code === 'EACCES')
          reject(new ProxyError(`not allowed to listen on port ${opts.port}`, 'choose a port above 1023'));
        else reject(new ProxyError(`cannot listen on ${PROXY_HOST}:${opts.port ?? 0}: ${e.code ?? e.message}`));
      });
      front.listen({ host: PROXY_HOST, port: opts.port ?? 0, exclusive: true }, () => {
        const addr = front.address();
        const port = typeof addr === 'object' && addr ? addr.port : 0;
        resolve(new ProxyServer(front, rt, port, token));
      });
    });
    // Derived tables for the current canaries are built off the request path (they cost tens of ms for 100 canaries).
    const warm = (): void => {
      const snap = opts.ctx.snapshot();
      if (snap.matcher) partialPrefixesFor(snap.matcher, snap.canaries);
    };
    warm();
    server.unwatch = opts.ctx.onChange(() => setImmediate(warm));
    front.on('connection', (s: Socket) => {
      server.sockets.add(s);
      s.on('close', () => server.sockets.delete(s));
    });
    return server;
  }

  /**
   * Serve a client socket accepted elsewhere in this process (a session's front listener): the proxy sees the
   * client's own socket, so the kernel can say which process owns it.
   */
  accept(socket: Socket): void {
    this.front.emit('connection', socket);
    socket.resume();
  }

  async close(): Promise<void> {
    this.unwatch();
    const closed = new Promise<void>((r) => this.front.close(() => r()));
    for (const s of this.sockets) s.destroy();
    this.rt.httpAgent.destroy();
    this.rt.httpsAgent.destroy();
    await closed;
  }
}

/** Destination and origin-form path of an absolute-form request target (http:// or https://). */
function absoluteTarget(url: string): { dest: Destination; path: string } | null {
  const m = /^(https?):\/\/([^/?#]+)([^#]*)/i.exec(url);
  if (!m) return null;
  const tls = m[1].toLowerCase() === 'https';
  const authority = m[2].includes('@') ? m[2].slice(m[2].lastIndexOf('@') + 1) : m[2];
  const withPort = /:\d+$/.test(authority) ? authority : `${authority}:${tls ? 443 : 80}`;
  const a = parseAuthority(withPort);
  if (!a) return null;
  const path = m[3] === '' ? '/' : m[3].startsWith('/') ? m[3] : `/${m[3]}`;
  return { dest: { host: a.host, port: a.port, tls }, path };
}

function innerPath(url: string): string {
  return url.startsWith('/') ? url : (absoluteTarget(url)?.path ?? '/');
}
