// What every proxy handler shares: the guard context, the CA, upstream agents and trust, and the tuning knobs.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { GuardContext } from '../guard-context.js';
import type { ModelChannel } from './model-channel.js';
import type { CertificateAuthority } from './tls-ca.js';
import type { Destination } from './proxy-events.js';

export interface ProxyRuntime {
  ctx: GuardContext;
  ca: CertificateAuthority;
  /** PEM certificates upstream servers are verified against. */
  trust: string[];
  /** Client TLS context built once from trust (upgrades and raw connections reuse it). */
  upstreamContext: SecureContext;
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /** How long a paused interactive stream waits before its idle release (ms). */
  idleMs: number;
  /** Most request-body bytes held back at once before the request is refused. */
  maxHold: number;
  /** Serves requests arriving inside CONNECT tunnels (decrypted or plain). */
  inner: http.Server;
  /** Destination of each socket handed to `inner`. */
  tunnels: WeakMap<Socket, Destination>;
  /** The client's own TCP socket behind a socket handed to `inner` (a decrypted TLS socket wraps it). */
  clients: WeakMap<object, Socket>;
  /** The session agent's model channel; absent: every canary is denied everywhere. */
  model?: ModelChannel;
  /** Tells the client which flag makes a private CA trusted (differs between `grith proxy` and `grith shell`). */
  upstreamCaHint: string;
}

/** The client's TCP socket behind the socket a request arrived on. */
export function clientSocket(rt: ProxyRuntime, s: Socket): Socket {
  return rt.clients.get(s) ?? s;
}

export function hostHeader(dest: Destination): string {
  const h = dest.host.includes(':') ? `[${dest.host}]` : dest.host;
  return (dest.tls && dest.port === 443) || (!dest.tls && dest.port === 80) ? h : `${h}:${dest.port}`;
}

const HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/** Request headers to send upstream: hop-by-hop ones (and any the Connection header names) dropped. */
export function forwardHeaders(raw: readonly string[], extraDrop: readonly string[] = []): string[] {
  const drop = new Set([...HOP, ...extraDrop]);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].toLowerCase() === 'connection') for (const t of raw[i + 1].split(',')) drop.add(t.trim().toLowerCase());
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!drop.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  return out;
}

export function headerValue(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i].toLowerCase() === name) return raw[i + 1];
  return undefined;
}
