// The wire formats sinks put alerts in: RFC 5424 with octet counting (byte lengths, SD escaping, ASCII-only), the
// payload net's withholding, and reading the witness (seq + hash) back out of whatever a sink received.
import { describe, expect, it } from 'vitest';
import { netted, toAlert, type PayloadNet } from '../../../src/events/delivery/alert.js';
import { octetFrame, syslogMessage } from '../../../src/events/sinks/syslog.js';
import { otlpJson } from '../../../src/events/sinks/otlp.js';
import { slackPayload } from '../../../src/events/sinks/slack.js';
import { pagerDutyPayload } from '../../../src/events/sinks/pagerduty.js';
import type { GrithEvent } from '../../../src/events/types.js';
import { witnessesIn } from '../../../src/events/witness.js';

const H = 'ab'.repeat(32);
const event = (over: Partial<GrithEvent> = {}): GrithEvent => ({
  ts: '2026-01-02T03:04:05.678Z',
  seq: 42,
  kind: 'canary.fired',
  guard: 'proxy',
  action: 'deny',
  canaryId: 'k3x9ab2c',
  label: 'prod "key"] \\ café',
  fingerprint: '0123456789ab',
  variant: 'base64',
  where: 'api.example.com:443',
  pid: 4242,
  session: 's-1]x',
  kid: 'cab28989cdf90733',
  prevHash: '0'.repeat(64),
  hash: H,
  ...over,
});

describe('syslog (RFC 5424, octet-counted)', () => {
  it('frames by byte length, escapes SD values, stays ASCII, maps severity into PRI', () => {
    const msg = syslogMessage(toAlert(event()), 4);
    expect(msg).toMatch(/^<34>1 2026-01-02T03:04:05\.678Z \S+ grith 4242 canary\.fired \[grith@32473 seq="42" hash="(ab){32}" kid="cab28989cdf90733" kind="canary\.fired" severity="critical" guard="proxy" action="deny" canaryId="k3x9ab2c" fingerprint="0123456789ab" session="s-1\\]x"\] \{/);
    expect(/[^\x00-\x7f]/.test(msg)).toBe(false);
    expect(JSON.parse(msg.slice(msg.indexOf('] {') + 2)).event.label).toBe('prod "key"] \\ café');
    const framed = octetFrame(msg);
    const len = Number(framed.slice(0, framed.indexOf(' ')));
    expect(len).toBe(Buffer.byteLength(msg));
    expect(syslogMessage(toAlert(event({ kind: 'canary.read' })), 10).startsWith('<83>1 ')).toBe(true); // authpriv.err
    expect(syslogMessage(toAlert(event({ kind: 'canary.added', pid: undefined })), 4)).toMatch(/^<38>1 \S+ \S+ grith - canary\.added /);
  });
});

describe('the payload net', () => {
  const token = 'sk_live_0123456789abcdefghijklmn';
  const net: PayloadNet = { hits: (p) => Buffer.from(p).includes(Buffer.from(token)) || Buffer.from(p).includes(Buffer.from(Buffer.from(token).toString('hex'))) };
  const render = (as: ReturnType<typeof toAlert>[]) => JSON.stringify(as.map((a) => a.event));

  it('passes a clean alert untouched', () => {
    const a = toAlert(event());
    expect(netted([a], render, (b) => b, net)).toBe(render([a]));
  });

  it('cuts an alert whose text carries a canary form down to ids and chain fields', () => {
    const bad = toAlert(event({ where: `/tmp/${Buffer.from(token).toString('hex')}.txt` }));
    const out = JSON.parse(netted([bad, toAlert(event({ seq: 43 }))], render, (b) => b, net));
    expect(out[0]).toEqual({ ts: bad.event.ts, seq: 42, kind: 'canary.fired', guard: 'proxy', action: 'deny', canaryId: 'k3x9ab2c', fingerprint: '0123456789ab', session: 's-1]x', kid: 'cab28989cdf90733', prevHash: '0'.repeat(64), hash: H });
    expect(out[1].where).toBe('api.example.com:443');
  });

  it('fails closed: a net that cannot look (store unreadable) gets the minimal form of everything', () => {
    const all: PayloadNet = { hits: () => true };
    const out = JSON.parse(netted([toAlert(event())], render, (b) => b, all));
    expect(Object.keys(out[0]).sort()).toEqual(['action', 'guard', 'hash', 'kid', 'kind', 'prevHash', 'seq', 'ts']);
  });
});

describe('witnesses read back from what sinks received', () => {
  it('finds seq and hash in syslog lines, alert JSON, OTLP JSON, PagerDuty and Slack bodies', () => {
    const a = toAlert(event());
    const b = toAlert(event({ seq: 43, hash: 'cd'.repeat(32) }));
    expect(witnessesIn(syslogMessage(a, 4) + '\n')).toEqual([{ seq: 42, hash: H }]);
    expect(witnessesIn(JSON.stringify(otlpJson([a, b], '1')))).toEqual([
      { seq: 42, hash: H },
      { seq: 43, hash: 'cd'.repeat(32) },
    ]);
    expect(witnessesIn(JSON.stringify(pagerDutyPayload(a, 'k')) + '\n')).toEqual([{ seq: 42, hash: H }]);
    expect(witnessesIn(JSON.stringify(slackPayload(b)) + '\n')).toEqual([{ seq: 43, hash: 'cd'.repeat(32) }]);
    expect(witnessesIn(`${JSON.stringify(a.event)}\n${JSON.stringify(b.event)}\n`)).toHaveLength(2);
    expect(witnessesIn('nothing here\n')).toEqual([]);
  });
});
