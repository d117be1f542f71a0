// Lossless delivery from the event log to a real local HTTP receiver (the webhook transport): in order, resumed
// from the cursor after failures and restarts, never skipping on an error, one deliverer per sink (lock), rate
// limits that never hold back a canary.fired, and a signed body that verifies.
import { createHmac } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addSink } from '../../../src/events/delivery/admin.js';
import { ensureSinksDir, sinkLockPath } from '../../../src/events/delivery/cursor.js';
import { DeliveryService } from '../../../src/events/delivery/service.js';
import { deliveryStatus } from '../../../src/events/delivery/status.js';
import { EventLog } from '../../../src/events/event-log.js';
import type { EventInput } from '../../../src/events/types.js';
import { acquireLock } from '../../../src/store/lock.js';
import { tempHome } from '../../support/store-fixtures.js';
import { httpReceiver, type HttpReceiver } from '../../support/receivers.js';

let home: string;
let rx: HttpReceiver;
let statuses: number[];
beforeEach(async () => {
  home = await tempHome('grith-delivery-');
  statuses = [];
  rx = await httpReceiver(() => ({ status: statuses.shift() ?? 200 }));
});
afterEach(async () => {
  DeliveryService.for(home).close();
  await rx.close();
  await rm(home, { recursive: true, force: true });
});

const ev = (kind: EventInput['kind'], i: number): EventInput => ({ kind, guard: 'proxy', action: kind === 'canary.fired' ? 'deny' : 'info', canaryId: `c${i}`, label: `label ${i}`, where: `host${i}:443` });
const seqsGot = () => rx.got.map((g) => JSON.parse(g.body.toString()).event.seq as number);

function service() {
  return DeliveryService.for(home, { backoff: { baseMs: 20, maxMs: 100 }, timeoutMs: 3000 });
}

async function passUntilIdle(s: DeliveryService, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await s.pass(false);
    if ([...r.values()].every(({ result }) => result.state === 'idle')) return;
    if (Date.now() > end) throw new Error(`not idle: ${JSON.stringify([...r.values()].map(({ result }) => [result.state, result.error]))}`);
    await new Promise((res) => setTimeout(res, 30));
  }
}

describe('delivery from the log', () => {
  it('sends what the sink wants, in order, signed; the cursor ends at the head', async () => {
    const log = new EventLog(home);
    await log.append(ev('canary.added', 0)); // before the sink existed: not sent
    await addSink(home, { type: 'webhook', url: `${rx.url}/hook?token=abc`, secret: 'shh', minSeverity: 'info' });
    const s = service();
    for (const [k, i] of [['canary.added', 1], ['canary.fired', 2], ['canary.read', 3], ['guard.error', 4]] as const) await log.append(ev(k, i));
    await passUntilIdle(s);
    expect(seqsGot()).toEqual([2, 3, 4, 5]);
    const body = rx.got[1]!.body.toString();
    expect(rx.got[1]!.headers['x-grith-signature-256']).toBe('sha256=' + createHmac('sha256', 'shh').update(body).digest('hex'));
    expect(rx.got[1]!.headers['x-grith-delivery']).toMatch(/^3-[0-9a-f]{16}$/);
    const st = await deliveryStatus(home);
    expect(st.sinks[0]).toMatchObject({ cursor: 5, head: 5, lag: 0, delivered: 4 });
  });

  it('a receiver failing (5xx, then a 404 that retrying "cannot fix") loses nothing: the cursor waits, then resumes in order', async () => {
    await addSink(home, { type: 'webhook', url: `${rx.url}/hook?token=abc`, minSeverity: 'high' });
    const log = new EventLog(home);
    statuses = [500, 503, 404];
    for (let i = 1; i <= 3; i++) await log.append(ev('canary.fired', i));
    const s = service();
    await s.pass(false);
    let st = (await deliveryStatus(home)).sinks[0]!;
    expect(st).toMatchObject({ lag: 3, failures: 1, lastError: expect.stringMatching(/HTTP 500/) });
    expect(st.lastError).not.toContain('token=abc');
    await passUntilIdle(s);
    expect(seqsGot()).toEqual([1, 2, 3]);
    st = (await deliveryStatus(home)).sinks[0]!;
    expect(st).toMatchObject({ lag: 0, failures: 0, lastError: null });
  });

  it('after a restart (a new process) delivery resumes from the cursor: nothing repeated, nothing skipped', async () => {
    await addSink(home, { type: 'webhook', url: rx.url, minSeverity: 'info' });
    const log = new EventLog(home);
    for (let i = 1; i <= 3; i++) await log.append(ev('canary.fired', i));
    let s = service();
    await passUntilIdle(s);
    s.close(); // the process ends
    for (let i = 4; i <= 6; i++) await log.append(ev('canary.read', i));
    s = service(); // a new one starts
    await passUntilIdle(s);
    expect(seqsGot()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('one deliverer per sink: while another holds the sink lock this process skips it, then delivers', async () => {
    const view = await addSink(home, { type: 'webhook', url: rx.url, minSeverity: 'info' });
    await new EventLog(home).append(ev('canary.fired', 1));
    await ensureSinksDir(home);
    const release = await acquireLock(sinkLockPath(home, view.id)); // as another grith process would hold it
    const s = service();
    const r = await s.pass(true);
    expect(r.get(view.id)!.result.state).toBe('busy');
    expect(rx.got).toHaveLength(0);
    await release();
    await passUntilIdle(s);
    expect(seqsGot()).toEqual([1]);
  });

  it('a rate limit thins lower-severity events, reports how many, and never holds back canary.fired', async () => {
    await addSink(home, { type: 'webhook', url: rx.url, minSeverity: 'high', ratePerMin: 2 });
    const log = new EventLog(home);
    for (let i = 1; i <= 5; i++) await log.append(ev('canary.read', i));
    await log.append(ev('canary.fired', 6));
    await log.append(ev('canary.fired', 7));
    await passUntilIdle(service());
    expect(seqsGot()).toEqual([1, 2, 6, 7]);
    const six = JSON.parse(rx.got[2]!.body.toString());
    expect(six).toMatchObject({ severity: 'critical', suppressed: 3 });
    expect((await deliveryStatus(home)).sinks[0]).toMatchObject({ lag: 0, suppressed: 3 });
  });
});
