// The scenarios' "attacker": local HTTP, HTTPS (a throw-away CA the session proxy is told to trust), WebSocket and raw
// TCP servers on 127.0.0.1 that record every byte they receive, plus the leak check over all of it.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Canary } from '../../../src/core/canary.js';
import { compileMatcher, variantsOf } from '../../../src/core/matcher/index.js';
import { toTargets } from '../../../src/core/targets.js';
import { CertificateAuthority } from '../../../src/guards/proxy/tls-ca.js';
import { lenientDecode } from '../../../src/demo/attacker.js';

/** One thing the attacker got: raw bytes of a connection, a (decoded) request body, WebSocket payloads. */
export interface Received {
  seq: number;
  kind: 'raw' | 'body' | 'decoded' | 'unwrapped' | 'ws' | 'url';
  conn: number;
  bytes: Buffer;
}

export interface Attacker {
  http: string;
  https: string;
  /** host:port of the HTTPS server (also answers WebSocket upgrades). */
  httpsAuthority: string;
  /** A raw TCP server (records, answers "ok\n" per chunk). */
  tcpAuthority: string;
  /** PEM file of the throw-away CA that signed the HTTPS server's certificate (GRITH_UPSTREAM_CA). */
  caFile: string;
  /** Requests that reached a handler (method + url), in order. */
  requests: { seq: number; method: string; url: string }[];
  /** Position to compare later received items against. */
  mark(): number;
  /** Everything received after mark (per connection, raw bytes re-assembled). */
  since(mark: number): Received[];
  close(): Promise<void>;
}

let seq = 0;


/** Unmasked payloads of client WebSocket frames (a partial trailing frame contributes what arrived). */
export function unmaskFrames(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 2 <= buf.length) {
    const masked = (buf[i + 1]! & 0x80) !== 0;
    let len = buf[i + 1]! & 0x7f;
    let p = i + 2;
    if (len === 126) {
      if (p + 2 > buf.length) break;
      len = buf.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      if (p + 8 > buf.length) break;
      len = Number(buf.readBigUInt64BE(p));
      p += 8;
    }
    const mask = masked ? buf.subarray(p, p + 4) : null;
    if (masked) p += 4;
    const data = Buffer.from(buf.subarray(p, Math.min(buf.length, p + len)));
    if (mask) for (let k = 0; k < data.length; k++) data[k]! ^= mask[k & 3]!;
    out.push(data);
    i = p + len;
  }
  return Buffer.concat(out);
}

export async function startAttacker(): Promise<Attacker> {
  const caRoot = await mkdtemp(path.join(tmpdir(), 'grith-scn-attacker-ca-'));
  const ca = await CertificateAuthority.open(path.join(caRoot, 'ca'));
  const leaf = await ca.mintLeaf('127.0.0.1');
  const items: Received[] = [];
  /** Per connection: its bytes and the sequence number of the last chunk (what since() compares). */
  const raw = new Map<number, { last: number; chunks: Buffer[] }>();
  const requests: Attacker['requests'] = [];
  const sockets = new Set<Duplex>();
  let conns = 0;
  const push = (kind: Received['kind'], conn: number, bytes: Buffer): void => {
    items.push({ seq: ++seq, kind, conn, bytes });
  };

  const record = (s: Duplex): number => {
    const conn = ++conns;
    const entry = { last: ++seq, chunks: [] as Buffer[] };
    raw.set(conn, entry);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      entry.chunks.push(Buffer.from(d));
      entry.last = ++seq;
    });
    (s as Duplex & { grithConn?: number }).grithConn = conn;
    return conn;
  };
  const connOf = (s: unknown): number => (s as { grithConn?: number }).grithConn ?? 0;

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const conn = connOf(req.socket);
    requests.push({ seq: ++seq, method: req.method ?? '', url: req.url ?? '' });
    push('url', conn, Buffer.from(req.url ?? '', 'latin1'));
    const body: Buffer[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const b = Buffer.concat(body);
      push('body', conn, b);
      const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
      const dec = enc ? lenientDecode(b, enc) : null;
      if (dec) push('decoded', conn, dec);
      // Line-wrapped base64 (multipart parts, PEM-ish bodies): scan it joined too.
      push('unwrapped', conn, Buffer.from((dec ?? b).toString('latin1').replace(/\r?\n/g, ''), 'latin1'));
    };
    req.on('data', (d: Buffer) => body.push(Buffer.from(d)));
    req.on('end', () => {
      finish();
      const json = JSON.stringify({ ok: true, length: Buffer.concat(body).length });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json);
    });
    req.on('close', finish);
    req.on('error', () => undefined);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const conn = connOf(socket);
    requests.push({ seq: ++seq, method: 'UPGRADE', url: req.url ?? '' });
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    let frames: Buffer = Buffer.from(head);
    const entry: Received = { seq: ++seq, kind: 'ws', conn, bytes: unmaskFrames(frames) };
    items.push(entry);
    socket.on('data', (d: Buffer) => {
      frames = Buffer.concat([frames, d]);
      entry.bytes = unmaskFrames(frames);
      entry.seq = ++seq;
    });
    socket.on('error', () => undefined);
  };

  const plain = http.createServer({ keepAlive: true }, onRequest);
  plain.on('connection', record);
  plain.on('upgrade', onUpgrade);
  const tlsServer = https.createServer({ cert: leaf.certPem + ca.certPem, key: leaf.keyPem, keepAlive: true }, onRequest);
  tlsServer.on('secureConnection', record);
  tlsServer.on('upgrade', onUpgrade);
  const tcp = net.createServer((s) => {
    record(s);
    s.on('data', () => s.write('ok\n'));
  });
  const listen = async (s: net.Server): Promise<number> => {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    return (s.address() as AddressInfo).port;
  };
  const [hp, sp, tp] = [await listen(plain), await listen(tlsServer), await listen(tcp)];

  return {
    http: `http://127.0.0.1:${hp}`,
    https: `https://127.0.0.1:${sp}`,
    httpsAuthority: `127.0.0.1:${sp}`,
    tcpAuthority: `127.0.0.1:${tp}`,
    caFile: ca.paths.certFile,
    requests,
    mark: () => seq,
    since(mark) {
      const out = items.filter((i) => i.seq > mark);
      // A connection that received anything after mark is scanned whole (a token may straddle the mark).
      for (const [conn, e] of raw) if (e.last > mark) out.push({ seq: e.last, kind: 'raw', conn, bytes: Buffer.concat(e.chunks) });
      return out;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(
        [plain, tlsServer, tcp].map(
          (s) =>
            new Promise<void>((r) => {
              if ('closeAllConnections' in s) (s as http.Server).closeAllConnections();
              s.close(() => r());
            }),
        ),
      );
      await rm(caRoot, { recursive: true, force: true });
    },
  };
}

/** Every place a canary (any secret part, any encoded form, any ≥16-char window of its core) shows up in `items`. */
export function leaks(items: Received[], canaries: readonly Canary[]): string[] {
  const matcher = compileMatcher(toTargets(canaries));
  const out: string[] = [];
  for (const it of items) {
    for (const h of matcher.scan(it.bytes)) out.push(`${it.kind}#${it.conn}: canary ${h.canaryId} as ${h.variant} at ${h.start}`);
    // Belt and braces: the literal variant list, independently of the automaton.
    for (const c of canaries) {
      for (const secret of [c.value, ...Object.values(c.companions ?? {})]) {
        for (const v of variantsOf(secret)) {
          if (v.bytes.length >= 16 && it.bytes.includes(v.bytes)) out.push(`${it.kind}#${it.conn}: canary ${c.id} as ${v.variant} (literal)`);
        }
      }
    }
  }
  return [...new Set(out)];
}
