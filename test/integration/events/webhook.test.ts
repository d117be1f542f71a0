// Webhook delivery against a real local HTTP receiver: signed JSON, retried with backoff, never blocking the caller.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GrithEvent } from '../../../src/events/types.js';
import { WebhookSink, redactUrl } from '../../../src/events/webhook-sink.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function receiver(statuses: number[]): Promise<{ url: string; got: Received[]; close: () => Promise<void> }> {
  const got: Received[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = statuses[Math.min(n++, statuses.length - 1)];
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook?token=abc`, got, close: () => new Promise((r) => server.close(() => r())) };
}

const event = (seq: number, kind: GrithEvent['kind'] = 'canary.fired'): GrithEvent => ({
  ts: new Date().toISOString(),
  seq,
  kind,
  guard: 'proxy',
  action: 'deny',
  canaryId: 'abcd2345',
  label: 'prod key',
  fingerprint: '0123456789ab',
  variant: 'base64',
  where: 'attacker.test:443',
  prevHash: '0'.repeat(64),
  hash: 'f'.repeat(64),
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('WebhookSink', () => {
  it('POSTs alert events as JSON with an HMAC-SHA256 signature that verifies', async () => {
    const r = await receiver([200]);
    closers.push(r.close);
    const sink = new WebhookSink(() => [{ url: r.url, secret: 'shh' }]);
    sink.deliver(event(7));
    sink.deliver(event(8, 'canary.added')); // not an alert: not sent
    await sink.flush(5000);
    expect(r.got).toHaveLength(1);
    const { headers, body } = r.got[0];
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-grith-event']).toBe('canary.fired');
    const expected = 'sha256=' + createHmac('sha256', 'shh').update(body).digest('hex');
    expect(headers['x-grith-signature-256']).toBe(expected);
    const payload = JSON.parse(body);
    expect(payload.event).toMatchObject({ seq: 7, canaryId: 'abcd2345', label: 'prod key', variant: 'base64' });
  });

  it('retries a receiver that fails twice, then succeeds, with backoff', async () => {
    const r = await receiver([500, 503, 200]);
    closers.push(r.close);
    const delivered: number[] = [];
    const sink = new WebhookSink(() => [{ url: r.url }], {
      baseDelayMs: 50,
      onDelivered: (_t, _e, attempts) => delivered.push(attempts),
    });
    const t0 = Date.now();
    sink.deliver(event(1, 'canary.read'));
    expect(Date.now() - t0).toBeLessThan(50); // deliver() returned before any network round trip
    await sink.flush(10_000);
    expect(r.got).toHaveLength(3);
    expect(delivered).toEqual([3]);
    expect(r.got[0].headers['x-grith-signature-256']).toBeUndefined();
    expect(r.got[2].body).toBe(r.got[0].body); // same delivery, same bytes
  });

  it('gives up after the last attempt, and at once on a 4xx that retrying cannot fix', async () => {
    const down = await receiver([500]);
    const gone = await receiver([404]);
    closers.push(down.close, gone.close);
    const gaveUp: string[] = [];
    const sink = new WebhookSink(() => [{ url: down.url }, { url: gone.url }], {
      attempts: 3,
      baseDelayMs: 10,
      onGiveUp: (t, _e, reason) => gaveUp.push(`${redactUrl(t.url)} ${reason}`),
    });
    sink.deliver(event(2));
    await sink.flush(10_000);
    expect(down.got).toHaveLength(3);
    expect(gone.got).toHaveLength(1);
    expect(gaveUp.sort()).toEqual([`${redactUrl(down.url)} HTTP 500`, `${redactUrl(gone.url)} HTTP 404`].sort());
    expect(gaveUp.join()).not.toContain('token=abc');
  });
});
