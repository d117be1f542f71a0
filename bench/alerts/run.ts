// Alert delivery figures, in one run on this machine: keyed append (+ signed checkpoint) vs the same append with the
// plain SHA-256 rule, append-to-receiver latency per sink type, and backlog throughput after an outage.
// Build first (npx tsc -p tsconfig.build.json), then: node dist/bench/alerts/run.js
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, open, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addSink } from '../../src/events/delivery/admin.js';
import { DeliveryService } from '../../src/events/delivery/service.js';
import { canonicalJson, EventLog, GENESIS_HASH, readLastLine } from '../../src/events/event-log.js';
import { withLock } from '../../src/store/lock.js';
import type { EventInput } from '../../src/events/types.js';

const fired = (i: number): EventInput => ({ kind: 'canary.fired', guard: 'proxy', action: 'deny', canaryId: 'bench', label: 'bench', where: `n${i}` });

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(2);
  return `p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${s[s.length - 1]!.toFixed(2)} ms`;
}

/** The pre-keying append, reproduced step by step: events lock, tail read, SHA-256 chain, one write + fsync. */
async function plainAppends(dir: string, n: number): Promise<number> {
  const file = path.join(dir, 'plain.jsonl');
  const lock = path.join(dir, 'plain.lock');
  const t0 = performance.now();
  for (let i = 1; i <= n; i++) {
    await withLock(lock, async () => {
      const fh = await open(file, 'a+', 0o600);
      try {
        const lastLine = await readLastLine(fh);
        const last = lastLine ? (JSON.parse(lastLine) as { seq: number; hash: string }) : null;
        const base = { ts: new Date().toISOString(), seq: (last?.seq ?? 0) + 1, ...fired(i), prevHash: last?.hash ?? GENESIS_HASH };
        const line = { ...base, hash: createHash('sha256').update(base.prevHash + canonicalJson(base)).digest('hex') };
        await fh.write(JSON.stringify(line) + '\n');
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
  }
  return (performance.now() - t0) / n;
}

async function httpSink(): Promise<{ url: string; seen: (seq: number) => Promise<void>; count: () => number; close: () => Promise<void> }> {
  const waiters = new Map<number, () => void>();
  const got = new Set<number>();
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      for (const m of body.matchAll(/"seq":(\d+)|"grith\.seq","value":\{"intValue":"(\d+)"/g)) {
        n++;
        got.add(Number(m[1] ?? m[2]));
        waiters.get(Number(m[1] ?? m[2]))?.();
      }
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url,
    seen: (seq) => (got.has(seq) ? Promise.resolve() : new Promise((r) => waiters.set(seq, r))),
    count: () => n,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function tcpSyslog(): Promise<{ port: number; seen: (seq: number) => Promise<void>; count: () => number; close: () => Promise<void> }> {
  const waiters = new Map<number, () => void>();
  const got = new Set<number>();
  let n = 0;
  const server = net.createServer((s) => {
    let buf = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      buf += d;
      for (const m of buf.matchAll(/ seq="(\d+)"/g)) {
        n++;
        got.add(Number(m[1]));
        waiters.get(Number(m[1]))?.();
      }
      buf = buf.slice(buf.lastIndexOf(' seq="') + 1);
    });
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen: (seq) => (got.has(seq) ? Promise.resolve() : new Promise((r) => waiters.set(seq, r))),
    count: () => n,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'grith-bench-alerts-'));
  try {
    const n = 200;
    const plain = await plainAppends(dir, n);
    const home = path.join(dir, 'home');
    const log = new EventLog(home);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await log.append(fired(i));
    const keyed = (performance.now() - t0) / n;
    console.log(`append, ${n} events: keyed + signed checkpoint ${keyed.toFixed(2)} ms each; the pre-keying append (lock, SHA-256, write, fsync) ${plain.toFixed(2)} ms each (x${(keyed / plain).toFixed(2)})`);

    const types = ['webhook', 'otlp', 'syslog'] as const;
    for (const type of types) {
      const h = path.join(dir, `lat-${type}`);
      const rx = type === 'syslog' ? await tcpSyslog() : await httpSink();
      const url = 'port' in rx ? `syslog://127.0.0.1:${rx.port}` : type === 'otlp' ? `${rx.url}/v1/logs` : rx.url;
      await addSink(h, type === 'otlp' ? { type, url, encoding: 'json', headers: {} } : type === 'syslog' ? { type, url, facility: 4 } : { type, url, minSeverity: 'info' });
      const svc = DeliveryService.for(h, { keepRetrying: true });
      await svc.refresh();
      const l = new EventLog(h);
      const lat: number[] = [];
      for (let i = 0; i < 50; i++) {
        const start = performance.now();
        const e = await l.append(fired(i));
        await rx.seen(e.seq);
        lat.push(performance.now() - start);
      }
      console.log(`append -> ${type === 'otlp' ? 'otlp (JSON)' : type} receiver (kicked in-process), 50 events one at a time: ${stats(lat)}`);
      svc.close();
      await rx.close();
    }

    // Backlog after an outage: 2,000 events recorded with no receiver, then one drain.
    for (const type of types) {
      const h = path.join(dir, `backlog-${type}`);
      const rx = type === 'syslog' ? await tcpSyslog() : await httpSink();
      const url = 'port' in rx ? `syslog://127.0.0.1:${rx.port}` : type === 'otlp' ? `${rx.url}/v1/logs` : rx.url;
      await addSink(h, type === 'otlp' ? { type, url, encoding: 'json', headers: {} } : type === 'syslog' ? { type, url, facility: 4 } : { type, url, minSeverity: 'info' });
      const l = new EventLog(h);
      await l.append(fired(0));
      // Fill the spool quickly: copy the chained lines' shape is not needed for delivery, only seq order.
      const lines: string[] = [];
      for (let i = 2; i <= 2000; i++) lines.push(JSON.stringify({ ts: new Date().toISOString(), seq: i, ...fired(i), prevHash: 'x', hash: 'f'.repeat(64) }));
      await appendFile(path.join(h, 'events.jsonl'), lines.join('\n') + '\n');
      const svc = DeliveryService.for(h);
      const t1 = performance.now();
      for (;;) {
        const r = await svc.pass(true);
        if ([...r.values()].every(({ result }) => result.state === 'idle')) break;
      }
      const dt = performance.now() - t1;
      console.log(`backlog of 2,000 events -> ${type === 'otlp' ? 'otlp (JSON)' : type}: ${dt.toFixed(0)} ms (${((2000 / dt) * 1000).toFixed(0)} events/s, receiver counted ${rx.count()})`);
      svc.close();
      await rx.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
