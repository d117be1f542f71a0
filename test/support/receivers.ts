// Local HTTP receivers for alert-sink tests (a collector, a pager, a chat webhook): every request's raw body kept,
// a chosen status answered; and a receiver that accepts connections and never answers (a hanging sink). Plus the
// checks every sink test shares: the background deliverer is stopped, no canary variant reached a receiver.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'vitest';
import { variantsOf } from '../../src/core/matcher/index.js';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpReceiver {
  url: string;
  got: Received[];
  /** Answer the next requests with this status (default 200). */
  status: number;
  close(): Promise<void>;
}

export async function httpReceiver(answer: (r: Received) => { status?: number; body?: string } = () => ({})): Promise<HttpReceiver> {
  const rec: HttpReceiver = { url: '', got: [], status: 200, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      const a = answer(r);
      const status = a.status ?? rec.status;
      if (status >= 200 && status < 300) rec.got.push(r);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(a.body ?? 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  rec.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  rec.close = () => new Promise((r) => server.close(() => r()));
  return rec;
}

/** Accepts TCP connections, reads nothing back, answers nothing. */
export async function hangingServer(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const socks = new Set<net.Socket>();
  let n = 0;
  const server = net.createServer((s) => {
    n++;
    socks.add(s);
    s.on('close', () => socks.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => n,
    close: () =>
      new Promise((r) => {
        for (const s of socks) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * End the home's background deliverer, if one runs (tests leave no process behind). waitMs: one was just started
 * (it takes its lock once Node is up), so wait that long for it to appear.
 */
export async function stopBackgroundDeliverer(home: string, waitMs = 0): Promise<void> {
  const lock = path.join(home, 'sinks', 'drainer.lock');
  for (const end = Date.now() + waitMs; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    if (existsSync(lock)) break;
  }
  try {
    const { pid } = JSON.parse(await readFile(path.join(home, 'sinks', 'drainer.lock'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100; i++) {
      process.kill(pid, 0);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch {
    // none, or gone
  }
}

/** No received byte holds any encoded form of any secret. */
export function expectNoSecrets(received: Buffer | string, secrets: string[], where: string): void {
  const hay = typeof received === 'string' ? Buffer.from(received, 'utf8') : received;
  expect(hay.length, `${where}: received something to check`).toBeGreaterThan(0);
  for (const s of secrets) {
    for (const v of variantsOf(s)) {
      expect(hay.includes(v.bytes), `${v.variant} form of a canary reached ${where}`).toBe(false);
    }
  }
}

export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
