// CONNECT and Upgrade: intercept TLS, hand plain HTTP to the inner server, scan anything else as a raw byte stream.
import type { IncomingMessage } from 'node:http';
import net, { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import tls, { TLSSocket } from 'node:tls';
import type { Hit } from '../../core/matcher/types.js';
import { scanHead } from './head-scan.js';
import { partialPrefixesFor } from './partial-prefixes.js';
import {
  bodyWithEvent,
  describe,
  judgeHits,
  recordDecision,
  refusalOf,
  storeRefusal,
  unscannable,
  type Described,
  type Destination,
  type Refused,
} from './proxy-events.js';
import { pumpThroughGate, type ByteGate } from './pump.js';
import { forwardHeaders, headerValue, type ProxyRuntime } from './runtime.js';
import { StreamGate } from './stream-gate.js';
import { WsGate } from './ws-gate.js';
import { recordUpstreamFailure, upstreamFailure } from './forward-http.js';

/** How long a CONNECT waits for the client's first bytes before treating the tunnel as server-speaks-first. */
const PEEK_MS = 500;

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  407: 'Proxy Authentication Required',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function rawResponse(socket: Duplex, status: number, body: string, extra = ''): void {
  if (socket.destroyed) return;
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\nX-Grith: ${status === 403 ? 'blocked' : 'error'}\r\n${extra}\r\n${body}`,
  );
}

/** A refusal before the tunnel opened: its event, then its status on the raw socket, naming the event. */
function refuseRaw(rt: ProxyRuntime, socket: Duplex, r: Refused, d: Described, transport: string): void {
  void recordDecision(rt.ctx, r.decision, d, transport).then((seq) => {
    rawResponse(socket, r.status, bodyWithEvent(r, seq));
  });
}

/** Hits in a relayed stream: the stream is reset (by relay) and the decision recorded. */
function streamHits(rt: ProxyRuntime, d: Described, transport: string): (hits: Hit[]) => void {
  return (hits) => recordDecision(rt.ctx, judgeHits(rt.ctx.snapshot(), hits, d), d, transport);
}

function streamError(rt: ProxyRuntime, d: Described, what: string): (e: Error) => void {
  return (e) => recordDecision(rt.ctx, unscannable(`${what}, cannot scan: ${e.message}`, e.message).decision, d, 'stream');
}

/** host:port of a CONNECT target; null when it is not a plain host name or IP literal with a port. */
export function parseAuthority(a: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/.exec(a);
  if (!m) return null;
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  if (m[1] !== undefined && isIP(host) !== 6) return null;
  return { host, port };
}

function streamByteGate(g: StreamGate): ByteGate {
  return {
    push: (b) => {
      const hits = g.push(b);
      return { hits, release: hits.length > 0 ? Buffer.alloc(0) : g.release() };
    },
    releaseIdle: () => g.releaseIdle(),
    finish: () => {
      g.end();
      return g.release();
    },
  };
}

function connectUpstream(rt: ProxyRuntime, dest: Destination): Duplex {
  if (!dest.tls) return net.connect({ host: dest.host, port: dest.port });
  return tls.connect({
    host: dest.host,
    port: dest.port,
    secureContext: rt.upstreamContext,
    ALPNProtocols: ['http/1.1'],
    ...(isIP(dest.host) ? {} : { servername: dest.host }),
  });
}

/** Relay a scanned client stream to the upstream and the upstream's bytes back; a hit resets both. */
function relay(
  rt: ProxyRuntime,
  client: Duplex,
  upstream: Duplex,
  gate: ByteGate,
  initial: Buffer,
  onHit: (hits: Hit[]) => void,
  onError: (e: Error) => void,
): void {
  const reset = (): void => {
    client.destroy();
    upstream.destroy();
  };
  pumpThroughGate(client, upstream, gate, initial, {
    idleMs: rt.idleMs,
    onHit: (hits) => {
      reset();
      onHit(hits);
    },
    onError: (e) => {
      reset();
      onError(e);
    },
  });
  upstream.pipe(client);
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
}

export async function handleConnect(rt: ProxyRuntime, req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
  socket.on('error', () => socket.destroy());
  const target = parseAuthority(req.url ?? '');
  const snap = rt.ctx.snapshot();
  if (!target) {
    rawResponse(socket, 400, 'grith proxy: CONNECT needs host:port\n');
    return;
  }
  const dest: Destination = { host: target.host, port: target.port, tls: false };
  const method = 'CONNECT';
  const d = describe(snap, dest, method, '');
  const noStore = storeRefusal(snap, 'tunnel');
  if (noStore) return refuseRaw(rt, socket, noStore, d, 'connect');
  const hits = scanHead(snap.matcher!, { method, target: req.url ?? '', rawHeaders: req.rawHeaders, host: target.host, port: target.port });
  const decision = judgeHits(snap, hits, d);
  const refused = refusalOf(decision);
  if (refused) return refuseRaw(rt, socket, refused, d, 'connect');
  recordDecision(rt.ctx, decision, d, 'connect');
  socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  const first = head.length > 0 ? head : await firstBytes(socket);
  if (socket.destroyed) return;
  if (first.length > 0 && first[0] === 0x16) {
    // TLS ClientHello: terminate it with a leaf for the CONNECT host and serve the decrypted HTTP/1.1 ourselves.
    socket.pause();
    socket.unshift(first);
    let secureContext: tls.SecureContext;
    try {
      secureContext = await rt.ca.secureContext(target.host);
    } catch {
      socket.destroy();
      return;
    }
    const tlsSocket = new TLSSocket(socket, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
    tlsSocket.on('error', () => tlsSocket.destroy());
    rt.tunnels.set(tlsSocket, { ...dest, tls: true });
    rt.clients.set(tlsSocket, socket);
    // The TLS socket drains what was unshifted itself; resuming the raw socket here would race it for those bytes.
    rt.inner.emit('connection', tlsSocket);
    return;
  }
  if (first.length > 0 && /^[A-Z]{3,12} [^ ]/.test(first.toString('latin1', 0, Math.min(first.length, 16)))) {
    socket.pause();
    socket.unshift(first);
    rt.tunnels.set(socket, dest);
    rt.inner.emit('connection', socket);
    socket.resume();
    return;
  }
  // Not TLS, not HTTP: a raw byte tunnel, scanned as one stream.
  const upstream = net.connect({ host: target.host, port: target.port });
  const matcher = snap.matcher!;
  const gate = streamByteGate(new StreamGate(matcher, partialPrefixesFor(matcher, snap.canaries)));
  relay(
    rt,
    socket,
    upstream,
    gate,
    first,
    streamHits(rt, d, 'tunnel'),
    streamError(rt, d, 'tunnel reset'),
  );
}

function firstBytes(socket: Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const done = (b: Buffer): void => {
      clearTimeout(t);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      resolve(b);
    };
    const onData = (b: Buffer): void => done(b);
    const onClose = (): void => done(Buffer.alloc(0));
    const t = setTimeout(() => done(Buffer.alloc(0)), PEEK_MS);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.resume();
  });
}

/** An HTTP Upgrade (WebSocket or other): scan the head, then relay with the client's side scanned. */
export function handleUpgrade(rt: ProxyRuntime, req: IncomingMessage, socket: Duplex, head: Buffer, dest: Destination, path: string): void {
  socket.on('error', () => socket.destroy());
  const snap = rt.ctx.snapshot();
  const method = req.method ?? 'GET';
  const d = describe(snap, dest, method, path);
  const noStore = storeRefusal(snap, 'upgrade');
  if (noStore) return refuseRaw(rt, socket, noStore, d, 'http-head');
  const matcher = snap.matcher!;
  const hits = scanHead(matcher, { method, target: req.url ?? '', rawHeaders: req.rawHeaders, host: dest.host, port: dest.port });
  const decision = judgeHits(snap, hits, d);
  const refused = refusalOf(decision);
  if (refused) return refuseRaw(rt, socket, refused, d, 'http-head');
  recordDecision(rt.ctx, decision, d, 'http-head');
  const upgrade = headerValue(req.rawHeaders, 'upgrade') ?? '';
  const websocket = upgrade.toLowerCase() === 'websocket';
  // Compressed WebSocket frames could not be scanned: never let the extension be negotiated.
  const headers = forwardHeaders(req.rawHeaders, websocket ? ['sec-websocket-extensions'] : []);
  const lines = [`${method} ${path} HTTP/1.1`];
  for (let i = 0; i + 1 < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`);
  lines.push('Connection: Upgrade', `Upgrade: ${upgrade}`, '', '');
  const upstream = connectUpstream(rt, dest);
  let connected = false;
  upstream.once(dest.tls ? 'secureConnect' : 'connect', () => {
    connected = true;
    upstream.write(lines.join('\r\n'));
    const prefixes = partialPrefixesFor(matcher, snap.canaries);
    const gate: ByteGate = websocket ? new WsGate(matcher, prefixes) : streamByteGate(new StreamGate(matcher, prefixes));
    relay(
      rt,
      socket,
      upstream,
      gate,
      head,
      streamHits(rt, d, websocket ? 'websocket' : 'upgrade'),
      streamError(rt, d, 'upgraded connection reset'),
    );
  });
  upstream.once('error', (err: NodeJS.ErrnoException) => {
    if (connected) return;
    recordUpstreamFailure(rt, err, dest, d);
    rawResponse(socket, 502, upstreamFailure(err, dest, rt.upstreamCaHint));
  });
}
