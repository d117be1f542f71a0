// Preloaded (NODE_OPTIONS --import) into the Node programs of a `grith shell` session. Node before 22.21 / 24.5
// ignores NODE_USE_ENV_PROXY, so global fetch and http(s).request would connect straight out, past the session
// proxy. This routes undici's global dispatcher (fetch, WebSocket, EventSource) and the http/https global agents
// through the proxy in CONNECT tunnels, as newer Node does itself. It runs in every Node process of the session: only
// builtins (and node-preload.js) are imported, and undici is loaded only when a program uses fetch.
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { nativeEnvProxy } from './preload.js';

type Done = (err: Error | null, socket?: Socket) => void;
interface Proxy {
  host: string;
  port: number;
  auth: string | null;
}

const require = createRequire(import.meta.url);
const UNDICI_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

function proxyFor(secure: boolean, env: NodeJS.ProcessEnv = process.env): Proxy | null {
  const raw = secure
    ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.ALL_PROXY ?? env.all_proxy)
    : (env.HTTP_PROXY ?? env.http_proxy ?? env.ALL_PROXY ?? env.all_proxy);
  if (!raw) return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:') return null;
    const auth = u.username ? Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64') : null;
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) || 80, auth };
  } catch {
    return null;
  }
}

/** A socket to host:port through the proxy's CONNECT; the proxy's refusal (403 when a canary is in the name) fails it. */
function tunnel(proxy: Proxy, host: string, port: number, done: Done): void {
  const net = require('node:net') as typeof import('node:net');
  const bare = host.replace(/^\[|\]$/g, '');
  const authority = bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`;
  const sock = net.connect({ host: proxy.host, port: proxy.port });
  let settled = false;
  const finish = (err: Error | null): void => {
    if (settled) return;
    settled = true;
    // Paused mode for the reply, then back to the initial state: the next 'data' listener (the client's) starts the
    // flow, and whatever followed the reply is still there for it.
    sock.off('readable', onReadable);
    if (err) {
      sock.destroy();
      done(err);
    } else done(null, sock);
  };
  let head = Buffer.alloc(0);
  const onReadable = (): void => {
    let d: Buffer | null;
    while (!settled && (d = sock.read() as Buffer | null) !== null) {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16_384) finish(new Error('grith proxy: malformed CONNECT response'));
        continue;
      }
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.toString('latin1', 0, end))?.[1];
      if (status !== '200') return finish(new Error(`grith proxy refused the connection to ${authority} (${status ?? 'no status'})`));
      const rest = head.subarray(end + 4);
      if (rest.length > 0) sock.unshift(rest);
      finish(null);
    }
  };
  sock.on('readable', onReadable);
  sock.once('error', (e) => finish(e));
  sock.once('close', () => finish(new Error('grith proxy closed the connection')));
  sock.once('connect', () => {
    sock.write(
      `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n` + (proxy.auth ? `Proxy-Authorization: Basic ${proxy.auth}\r\n` : '') + '\r\n',
    );
  });
}

function isProxy(proxy: Proxy, host: string, port: number): boolean {
  return proxy.port === port && proxy.host === host.replace(/^\[|\]$/g, '');
}

/** undici's connector: TLS (for https:) on top of the tunnel. */
function undiciConnect(
  opts: { hostname: string; protocol: string; port: string | number; servername?: string | null },
  callback: Done,
): void {
  let called = false;
  const done: Done = (err, sock) => {
    if (called) return;
    called = true;
    callback(err, sock);
  };
  const net = require('node:net') as typeof import('node:net');
  const secure = opts.protocol === 'https:';
  const port = Number(opts.port) || (secure ? 443 : 80);
  const host = opts.hostname.replace(/^\[|\]$/g, '');
  const withTls = (sock: Socket): void => {
    if (!secure) return done(null, sock);
    const tls = require('node:tls') as typeof import('node:tls');
    // host names the certificate to expect (an IP literal too); SNI only for names.
    const t = tls.connect({ socket: sock, host, servername: opts.servername || (net.isIP(host) ? '' : host), ALPNProtocols: ['http/1.1'] });
    t.once('secureConnect', () => done(null, t)).once('error', (e) => done(e));
  };
  const proxy = proxyFor(secure);
  if (!proxy || isProxy(proxy, host, port)) {
    // Nothing to route through (the program cleared the variables), or it talks to the proxy itself.
    const s = net.connect({ host, port });
    s.once('connect', () => withTls(s)).once('error', (e) => done(e));
    return;
  }
  tunnel(proxy, host, port, (err, sock) => (err ? done(err) : withTls(sock!)));
}

let undiciRouted = false;
/** Replace undici's default global Agent by one that connects through the proxy (once, on first use). */
function routeUndici(): void {
  if (undiciRouted) return;
  undiciRouted = true;
  const g = globalThis as unknown as Record<symbol | string, unknown>;
  void g.Response; // loads Node's bundled undici, which installs its default Agent
  const current = g[UNDICI_DISPATCHER] as { constructor?: new (o: unknown) => unknown } | undefined;
  const Agent = current?.constructor;
  if (typeof Agent !== 'function' || Agent.name !== 'Agent') return;
  g[UNDICI_DISPATCHER] = new Agent({ connect: undiciConnect });
}

function wrapGlobals(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  const realFetch = g.fetch as ((...a: unknown[]) => unknown) | undefined;
  if (typeof realFetch === 'function') {
    g.fetch = function fetch(this: unknown, ...args: unknown[]) {
      routeUndici();
      return realFetch.apply(this, args);
    };
  }
  for (const name of ['WebSocket', 'EventSource']) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    if (!d || !d.configurable) continue;
    Object.defineProperty(globalThis, name, {
      configurable: true,
      enumerable: d.enumerable,
      get() {
        routeUndici();
        const v = d.get ? d.get.call(globalThis) : d.value;
        Object.defineProperty(globalThis, name, { value: v, writable: true, configurable: true, enumerable: d.enumerable });
        return v;
      },
      set(v: unknown) {
        Object.defineProperty(globalThis, name, { value: v, writable: true, configurable: true, enumerable: d.enumerable });
      },
    });
  }
}

type CreateConnection = (options: Record<string, unknown>, oncreate?: Done) => Socket | undefined;

/** http(s).globalAgent: connections go through a tunnel; the original createConnection adds TLS for https. */
function routeAgent(agent: { createConnection: CreateConnection }, secure: boolean): void {
  const original = agent.createConnection;
  agent.createConnection = function (this: unknown, options: Record<string, unknown>, oncreate?: Done) {
    const proxy = proxyFor(secure);
    const host = String(options.host ?? options.hostname ?? 'localhost');
    const port = Number(options.port) || (secure ? 443 : 80);
    if (!proxy || options.socketPath || isProxy(proxy, host, port) || !oncreate) return original.call(this, options, oncreate);
    tunnel(proxy, host, port, (err, sock) => {
      if (err) return oncreate(err);
      if (!secure) return oncreate(null, sock);
      try {
        oncreate(null, original.call(this, { ...options, socket: sock }));
      } catch (e) {
        oncreate(e as Error);
      }
    });
    return undefined;
  };
}

function install(): void {
  if (nativeEnvProxy() || !(proxyFor(true) || proxyFor(false))) return;
  wrapGlobals();
  const http = require('node:http') as typeof import('node:http');
  const https = require('node:https') as typeof import('node:https');
  routeAgent(http.globalAgent as unknown as { createConnection: CreateConnection }, false);
  routeAgent(https.globalAgent as unknown as { createConnection: CreateConnection }, true);
}

install();
