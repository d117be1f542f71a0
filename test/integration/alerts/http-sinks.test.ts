// OTLP/HTTP (protobuf and JSON), PagerDuty Events v2, Slack and webhook sinks against local receivers: payload
// shapes as each receiver expects them, the chain witness in every alert, and not one byte of any canary form.
import { createHmac } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grith, REPO, tempHome } from '../../support/cli.js';
import { expectNoSecrets, httpReceiver, stopBackgroundDeliverer, until, type HttpReceiver } from '../../support/receivers.js';

const ENV = { PD_KEY: 'pd-routing-key-0123456789abcdef', HOOK_SECRET: 'hook-secret-s3cret', OTLP_TOKEN: 'Bearer otlp-api-key-xyz' };

let home: string;
let work: string;
let otlpPb: HttpReceiver, otlpJs: HttpReceiver, pd: HttpReceiver, slack: HttpReceiver, hook: HttpReceiver;
let LogsRequest: protobuf.Type;
const secrets: string[] = [];
let canaryId = '';

beforeAll(async () => {
  home = await tempHome();
  work = path.join(path.dirname(home), 'work');
  await mkdir(work, { recursive: true });
  LogsRequest = (await protobuf.load(path.join(REPO, 'fixtures/otlp/logs.proto'))).lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
  otlpPb = await httpReceiver();
  otlpJs = await httpReceiver();
  pd = await httpReceiver(() => ({ status: 202, body: '{"status":"success","message":"Event processed"}' }));
  slack = await httpReceiver();
  hook = await httpReceiver();
});
afterAll(async () => {
  await stopBackgroundDeliverer(home);
  for (const r of [otlpPb, otlpJs, pd, slack, hook]) await r?.close();
});

async function add(args: string[]): Promise<Record<string, unknown>> {
  const r = await grith(['alerts', ...args, '--json'], { home, env: ENV });
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return JSON.parse(r.stdout);
}

type Attr = { key: string; value: Record<string, unknown> };
const attr = (attrs: Attr[], key: string) => {
  const v = attrs.find((a) => a.key === key)?.value;
  return v && (v.stringValue ?? v.intValue ?? v.boolValue);
};

describe('HTTP alert sinks', () => {
  it('configures each sink without ever showing a secret, routing key, header value or Slack path', async () => {
    expect(await add(['add-otlp', otlpPb.url, '--header', 'x-scope-orgid=security', '--header-env', 'authorization=OTLP_TOKEN'])).toMatchObject({
      type: 'otlp',
      target: `${otlpPb.url}/v1/logs`,
      encoding: 'protobuf',
      headers: ['x-scope-orgid', 'authorization'],
    });
    expect(await add(['add-otlp', `${otlpJs.url}/v1/logs`, '--encoding', 'json'])).toMatchObject({ encoding: 'json', minSeverity: 'info' });
    expect(await add(['add-pagerduty', '--routing-key-env', 'PD_KEY', '--url', `${pd.url}/v2/enqueue`])).toMatchObject({ type: 'pagerduty', minSeverity: 'high', ratePerMin: 10 });
    expect(await add(['add-slack', `${slack.url}/services/T000/B000/slacksecretpath`])).toMatchObject({ type: 'slack', target: `${slack.url}/…` });
    expect(await add(['add-webhook', `${hook.url}/in?token=q`, '--secret-env', 'HOOK_SECRET'])).toMatchObject({ type: 'webhook', signed: true });
    const list = await grith(['alerts', 'list'], { home });
    const listJson = await grith(['alerts', 'list', '--json'], { home });
    for (const out of [list.stdout, listJson.stdout]) {
      for (const hidden of [ENV.PD_KEY, ENV.HOOK_SECRET, 'otlp-api-key', 'slacksecretpath', 'token=q', 'security']) expect(out).not.toContain(hidden);
    }
    expect(JSON.parse(listJson.stdout)).toHaveLength(5);
    const help = await grith(['alerts', 'add-otlp', '--help'], { home });
    expect(help.stdout).toMatch(/EXAMPLES[\s\S]*alerts add-otlp http:\/\/127\.0\.0\.1:4318/);
  });

  it('a canary found by grith scan reaches every sink in its format, with seq and chain hash, and no canary form', async () => {
    const addC = await grith(['canary', 'add', '--format', 'aws', '--label', 'prod key', '--json'], { home, env: ENV });
    canaryId = JSON.parse(addC.stdout).id;
    const c = JSON.parse((await grith(['canary', 'show', canaryId, '--reveal', '--json'], { home })).stdout);
    secrets.push(c.value, ...(Object.values(c.companions ?? {}) as string[]));
    await writeFile(path.join(work, 'creds'), `[default]\naws_secret_access_key = ${c.value}\n`);
    const scan = await grith(['scan', path.join(work, 'creds'), '--json'], { home, env: ENV });
    expect(scan.code).toBe(1);
    expect(JSON.parse(scan.stdout).alertDelivery).toEqual({ pending: false, sinks: [], background: null });
    expect(scan.stderr).not.toMatch(/pending/);
    const events = (await readFile(path.join(home, 'events.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
    const fired = events.find((e) => e.kind === 'canary.fired');
    const added = events.find((e) => e.kind === 'canary.added');

    // OTLP protobuf, decoded with the published schema: the canary.added (info) and the fire, in order.
    await until(() => otlpPb.got.length >= 2 && otlpJs.got.length >= 2, 5000, 'OTLP exports');
    expect(otlpPb.got[0]!.path).toBe('/v1/logs');
    expect(otlpPb.got[0]!.headers['content-type']).toBe('application/x-protobuf');
    expect(otlpPb.got[0]!.headers['x-scope-orgid']).toBe('security');
    expect(otlpPb.got[0]!.headers.authorization).toBe(ENV.OTLP_TOKEN);
    const decoded = otlpPb.got.map((r) => LogsRequest.toObject(LogsRequest.decode(r.body), { longs: String, defaults: false }) as { resourceLogs: { resource: { attributes: Attr[] }; scopeLogs: { scope: { name: string; version: string }; logRecords: Record<string, unknown>[] }[] }[] });
    const rl = decoded[1]!.resourceLogs[0]!;
    expect(attr(rl.resource.attributes, 'service.name')).toBe('grith');
    expect(attr(rl.resource.attributes, 'host.name')).toBe(hostname());
    expect(rl.scopeLogs[0]!.scope).toMatchObject({ name: 'grith', version: expect.any(String) });
    const rec = rl.scopeLogs[0]!.logRecords[0]! as { attributes: Attr[]; [k: string]: unknown };
    expect(rec).toMatchObject({ severityNumber: 21, severityText: 'CRITICAL', eventName: 'canary.fired', timeUnixNano: String(Date.parse(fired.ts) * 1e6) });
    expect((rec.body as { stringValue: string }).stringValue).toContain('"prod key"');
    expect(attr(rec.attributes, 'grith.seq')).toBe(String(fired.seq));
    expect(attr(rec.attributes, 'grith.hash')).toBe(fired.hash);
    expect(attr(rec.attributes, 'grith.canary.id')).toBe(canaryId);
    expect(attr(rec.attributes, 'grith.kind')).toBe('canary.fired');
    const firstRec = decoded[0]!.resourceLogs[0]!.scopeLogs[0]!.logRecords[0] as { attributes: Attr[]; severityNumber: number };
    expect(attr(firstRec.attributes, 'grith.seq')).toBe(String(added.seq));
    expect(firstRec.severityNumber).toBe(9);

    // OTLP/JSON: the same record in the JSON mapping (64-bit integers as strings).
    expect(otlpJs.got[1]!.headers['content-type']).toBe('application/json');
    const js = JSON.parse(otlpJs.got[1]!.body.toString()).resourceLogs[0].scopeLogs[0].logRecords[0];
    expect(js).toMatchObject({ severityNumber: 21, severityText: 'CRITICAL', eventName: 'canary.fired', timeUnixNano: String(Date.parse(fired.ts) * 1e6) });
    expect(js.attributes).toContainEqual({ key: 'grith.seq', value: { intValue: String(fired.seq) } });
    expect(js.attributes).toContainEqual({ key: 'grith.hash', value: { stringValue: fired.hash } });

    // PagerDuty Events v2: only the fire (high and above), critical, deduplicated by chain position.
    await until(() => pd.got.length >= 1 && slack.got.length >= 1 && hook.got.length >= 1, 5000, 'pager, chat and webhook');
    expect(pd.got).toHaveLength(1);
    expect(pd.got[0]!.path).toBe('/v2/enqueue');
    const page = JSON.parse(pd.got[0]!.body.toString());
    expect(page).toMatchObject({
      routing_key: ENV.PD_KEY,
      event_action: 'trigger',
      dedup_key: `grith-${fired.kid}-${fired.seq}`,
      payload: { severity: 'critical', source: hostname(), component: 'scan', class: 'canary.fired', group: 'grith', timestamp: fired.ts },
    });
    expect(page.payload.summary).toMatch(/canary "prod key"/);
    expect(page.payload.custom_details).toMatchObject({ seq: fired.seq, hash: fired.hash, canaryId });

    // Slack incoming webhook: text + blocks, the witness in the context line.
    const msg = JSON.parse(slack.got[0]!.body.toString());
    expect(msg.text).toMatch(/^\[CRITICAL\] grith: ALERT canary "prod key"/);
    expect(msg.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(msg.blocks[1].elements[0].text).toContain(`#${fired.seq} · chain ${fired.hash}`);

    // Webhook: signed body, event with seq and hash.
    const body = hook.got[0]!.body.toString();
    expect(hook.got[0]!.headers['x-grith-signature-256']).toBe('sha256=' + createHmac('sha256', ENV.HOOK_SECRET).update(body).digest('hex'));
    expect(JSON.parse(body)).toMatchObject({ source: 'grith', severity: 'critical', event: { seq: fired.seq, hash: fired.hash, kind: 'canary.fired' } });

    // Each receiver's bodies witness the log.
    for (const [name, r] of [['otlp-json', otlpJs], ['pagerduty', pd], ['slack', slack], ['webhook', hook]] as const) {
      const file = path.join(work, `${name}.received`);
      await writeFile(file, r.got.map((g) => g.body.toString() + '\n').join(''));
      const v = await grith(['events', '--verify', '--against', file, '--json'], { home });
      expect(v.code, `${name}: ${v.stdout}`).toBe(0);
      expect(JSON.parse(v.stdout).against.matched).toBeGreaterThanOrEqual(1);
    }
    const all = Buffer.concat([otlpPb, otlpJs, pd, slack, hook].flatMap((r) => r.got.map((g) => g.body)));
    expectNoSecrets(all, secrets, 'the HTTP sinks');
  });

  it('an event whose text carries an encoded canary reaches the sinks cut down to ids and chain fields', async () => {
    const hex = Buffer.from(secrets[0]!).toString('hex');
    const leaky = path.join(work, `dump-${hex}.txt`);
    await writeFile(leaky, `key=${secrets[0]}\n`);
    const before = hook.got.length;
    expect((await grith(['scan', leaky], { home, env: ENV })).code).toBe(1);
    await until(() => hook.got.length > before && otlpPb.got.length >= 3, 5000, 'the withheld alerts');
    const sent = JSON.parse(hook.got[hook.got.length - 1]!.body.toString());
    expect(sent).toMatchObject({ withheld: true, event: { kind: 'canary.fired', canaryId: expect.any(String), seq: expect.any(Number), hash: expect.any(String) } });
    expect(sent.event.where).toBeUndefined();
    const all = Buffer.concat([otlpPb, otlpJs, pd, slack, hook].flatMap((r) => r.got.map((g) => g.body)));
    expectNoSecrets(all, secrets, 'the HTTP sinks');
  });

  it('alerts test reaches every sink whatever its severity threshold; status shows no lag', async () => {
    const t = await grith(['alerts', 'test', '--json'], { home, env: ENV });
    expect(t.code, t.stdout).toBe(0);
    const r = JSON.parse(t.stdout);
    expect(r.sinks).toHaveLength(5);
    for (const s of r.sinks) expect(s).toMatchObject({ delivered: true, error: null });
    const page = JSON.parse(pd.got[pd.got.length - 1]!.body.toString());
    expect(page.payload).toMatchObject({ class: 'alert.test', severity: 'info' });
    const st = JSON.parse((await grith(['alerts', 'status', '--json'], { home })).stdout);
    for (const s of st.sinks) expect(s.lag).toBe(0);
    const text = (await grith(['alerts', 'status'], { home })).stdout;
    expect(text).toMatch(/SINK\s+TYPE\s+TARGET\s+THROUGH\s+LAG/);
  });
});
