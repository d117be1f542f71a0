// A byte-exact HTTP client through the proxy: CONNECT, TLS to grith's leaf, then exactly the writes the test asks for.
import net from 'node:net';
import tls from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RawResult {
  /** HTTP status of the proxy's answer (0 when the connection was reset before any). */
  status: number;
  response: string;
  /** Connection closed by reset/error rather than a response. */
  reset: boolean;
}

/** Open a CONNECT tunnel to host:port through the proxy; resolves with the socket once the proxy answered 200. */
export function connectTunnel(proxyPort: number, authority: string, auth?: string): Promise<{ socket: net.Socket; status: number; response: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxyPort, '127.0.0.1');
    let buf = '';
    socket.on('error', reject);
    socket.on('data', function onData(d: Buffer) {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('error', reject);
      socket.pause();
      resolve({ socket, status: Number(buf.split(' ')[1]), response: buf });
    });
    socket.on('close', () => resolve({ socket, status: Number(buf.split(' ')[1] ?? 0) || 0, response: buf }));
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
  });
}

/** Send `writes` one after the other (delayMs apart) over TLS through the proxy; read until the server closes or answers. */
export async function rawHttps(
  proxyPort: number,
  caPem: string,
  authority: string,
  writes: (Buffer | string)[],
  opts: { delayMs?: number; servername?: string; waitHead?: boolean; before?: (i: number) => Promise<void> } = {},
): Promise<RawResult> {
  const t = await connectTunnel(proxyPort, authority);
  if (t.status !== 200) return { status: t.status, response: t.response, reset: false };
  const host = authority.replace(/:\d+$/, '');
  const s = tls.connect({ socket: t.socket, host, ca: caPem, servername: opts.servername ?? (net.isIP(host) ? undefined : host), ALPNProtocols: ['http/1.1'] });
  await new Promise<void>((r, j) => {
    s.once('secureConnect', () => r());
    s.once('error', j);
  });
  return exchange(s, writes, opts.delayMs ?? 0, opts.waitHead, opts.before);
}

/** Same over a plain socket already connected (plain HTTP inside a tunnel, or a raw tunnel). */
export async function exchange(
  s: net.Socket | tls.TLSSocket,
  writes: (Buffer | string)[],
  delayMs: number,
  waitHead = false,
  before?: (i: number) => Promise<void>,
): Promise<RawResult> {
  let response = '';
  let reset = false;
  let closed = false;
  const done = new Promise<void>((r) => {
    s.on('data', (d: Buffer) => (response += d.toString('latin1')));
    s.on('error', () => (reset = true));
    s.on('close', () => {
      closed = true;
      r();
    });
  });
  for (const [i, w] of writes.entries()) {
    if (closed) break;
    // Like a real WebSocket client: frames only after the server's answer to the upgrade.
    if (waitHead && i === 1) for (let t = 0; t < 500 && !closed && !response.includes('\n'); t++) await sleep(10);
    if (before) await before(i);
    s.write(w);
    if (delayMs > 0) await sleep(delayMs);
    else await new Promise((r) => setImmediate(r));
  }
  // Wait for a complete response (or the peer's close), then hang up. Upgraded/raw streams wait for the close.
  const deadline = Date.now() + (waitHead || !/^HTTP/.test(response) ? 2000 : 5000);
  while (!closed && Date.now() < deadline) {
    if (!waitHead && /^HTTP\/1\.1 \d{3}[\s\S]*\r\n\r\n/.test(response)) {
      const m = /content-length: (\d+)/i.exec(response);
      const body = response.slice(response.indexOf('\r\n\r\n') + 4);
      if (!m || body.length >= Number(m[1])) break;
    }
    await sleep(10);
  }
  const byPeer = closed;
  s.destroy();
  await done;
  const status = /^HTTP\/1\.1 (\d{3})/.exec(response);
  return { status: status ? Number(status[1]) : 0, response, reset: reset || !status || (waitHead && byPeer) };
}

/** A request as bytes: head plus body, with a given framing. */
export function request(method: string, path: string, headers: Record<string, string>, body?: Buffer): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''];
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body ?? Buffer.alloc(0)]);
}

export function chunked(parts: Buffer[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) out.push(Buffer.from(p.length.toString(16) + '\r\n'), p, Buffer.from('\r\n'));
  out.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(out);
}

/** Split bytes into pieces of n (n = 1: one byte per write). */
export function pieces(b: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += n) out.push(b.subarray(i, i + n));
  return out;
}

/** A masked client WebSocket frame. */
export function wsFrame(payload: Buffer, opcode = 1, fin = true): Buffer {
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const len = payload.length;
  const head = len < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | len]) : Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, len >> 8, len & 255]);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

/** Unmasked payloads of the client frames in buf (a trailing partial frame contributes what arrived). */
export function unmaskFrames(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 2 <= buf.length) {
    const masked = (buf[i + 1] & 0x80) !== 0;
    let len = buf[i + 1] & 0x7f;
    let p = i + 2;
    if (len === 126) {
      len = buf.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      len = Number(buf.readBigUInt64BE(p));
      p += 8;
    }
    const mask = masked ? buf.subarray(p, p + 4) : null;
    if (masked) p += 4;
    const data = Buffer.from(buf.subarray(p, Math.min(buf.length, p + len)));
    if (mask) for (let k = 0; k < data.length; k++) data[k] ^= mask[k & 3];
    out.push(data);
    i = p + len;
  }
  return Buffer.concat(out);
}

/** Poll until cond() holds (or the time is up): for waiting on what an upstream has received. */
export async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(10);
}
