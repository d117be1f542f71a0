// Whether each configured alert sink can be reached, without sending it anything: a table keyed by sink kind, so a
// new kind (syslog, OTLP, PagerDuty, Slack…) adds one entry saying where its endpoints are in the store settings.
import net from 'node:net';
import tls from 'node:tls';
import type { StoreSettings } from '../core/canary.js';
import { redactUrl, type SinkConfig } from '../core/sink-config.js';
import { storePath } from '../store/home.js';
import { readStoreFile } from '../store/store-file.js';
import { ok, warn, type CheckResult } from './check.js';

export interface SinkEndpoint {
  /** How it is shown: never with credentials or query strings. */
  name: string;
  /** Resolves with a short "reachable" detail, rejects with why not. */
  probe(timeoutMs: number): Promise<string>;
}

const ofType = (s: StoreSettings, type: SinkConfig['type']) => (s.sinks ?? []).filter((k) => k.type === type);
const httpEndpoint = (url: string): SinkEndpoint => ({ name: redactUrl(url), probe: (t) => probeUrl(url, t) });

/** Sink kind → its endpoints in the store settings. */
export const SINK_KINDS: Record<string, (settings: StoreSettings & Record<string, unknown>) => SinkEndpoint[]> = {
  webhook: (s) => [...(s.webhooks ?? []).map((w) => w.url), ...ofType(s, 'webhook').map((k) => k.url)].map(httpEndpoint),
  otlp: (s) => ofType(s, 'otlp').map((k) => httpEndpoint(k.url)),
  pagerduty: (s) => ofType(s, 'pagerduty').map((k) => httpEndpoint(k.url)),
  slack: (s) => ofType(s, 'slack').map((k) => httpEndpoint(k.url)),
  // syslog://HOST:PORT over TCP, syslog+tls://HOST:PORT with a verified handshake (against the sink's own CA too).
  syslog: (s) =>
    ofType(s, 'syslog').map((k) => {
      const u = new URL(k.url);
      const secure = u.protocol === 'syslog+tls:';
      const port = Number(u.port || (secure ? 6514 : 514));
      return { name: redactUrl(k.url), probe: (t) => probeTcp(u.hostname.replace(/^\[|\]$/g, ''), port, secure, t, 'ca' in k ? k.ca : undefined) };
    }),
};

/** TCP connect, plus a verified TLS handshake for https: what a delivery needs before it sends a byte. */
export function probeUrl(url: string, timeoutMs: number): Promise<string> {
  const u = new URL(url);
  const secure = u.protocol === 'https:';
  const port = Number(u.port || (secure ? 443 : 80));
  return probeTcp(u.hostname.replace(/^\[|\]$/g, ''), port, secure, timeoutMs);
}

export function probeTcp(host: string, port: number, secure: boolean, timeoutMs: number, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, timeout: timeoutMs, ...(ca ? { ca: [...tls.rootCertificates, ca] } : {}) })
      : net.connect({ host, port, timeout: timeoutMs });
    const done = (err: Error | null) => {
      sock.destroy();
      if (err) reject(err);
      else resolve(secure ? `TLS to ${host}:${port} verified` : `TCP to ${host}:${port} connects`);
    };
    sock.once(secure ? 'secureConnect' : 'connect', () => done(null));
    sock.once('timeout', () => done(new Error(`no answer within ${timeoutMs / 1000} s`)));
    sock.once('error', (e: NodeJS.ErrnoException) => done(new Error(e.code ? `${e.code}${e.message.includes(e.code) ? '' : `: ${e.message}`}` : e.message)));
  });
}

export async function checkSinks(home: string, timeoutMs = 3000): Promise<CheckResult[]> {
  let settings: StoreSettings & Record<string, unknown>;
  try {
    settings = ((await readStoreFile(storePath(home)))?.settings ?? {}) as StoreSettings & Record<string, unknown>;
  } catch {
    return []; // the store check reports it
  }
  const endpoints = Object.entries(SINK_KINDS).flatMap(([kind, list]) => list(settings).map((e) => ({ kind, ...e })));
  if (endpoints.length === 0) {
    return [ok('sinks', 'alert sinks', 'none configured: events go to the event log only (grith alerts add-webhook URL)')];
  }
  return Promise.all(
    endpoints.map(async (e, i) => {
      const id = `sink.${e.kind}.${i + 1}`;
      const title = `${e.kind} ${e.name}`;
      try {
        return ok(id, title, `reachable (${await e.probe(timeoutMs)})`);
      } catch (err) {
        return warn(id, title, `not reachable: ${(err as Error).message}`, 'check the URL and that the receiver is up (grith alerts list)');
      }
    }),
  );
}
