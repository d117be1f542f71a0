// The same bytes give the same fires — the same canaries, the same variant — whichever guard sees them: an exec's
// argv, a write through the mount, a request body through the proxy.
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/core/decision.js';
import { Zone } from '../../../src/guards/fs/paths.js';
import { WorkspaceFs } from '../../../src/guards/fs/workspace-fs.js';
import { BodyGate } from '../../../src/guards/proxy/body-gate.js';
import { describe as describeRequest, judgeHits } from '../../../src/guards/proxy/proxy-events.js';
import { judgeExec } from '../../../src/guards/shell/exec-policy.js';
import { makeCanary } from '../../support/canaries.js';
import { TestGuardContext } from '../../support/guard-context.js';

const a = makeCanary({ id: 'a', format: 'github-pat' });
const b = makeCanary({ id: 'b', format: 'stripe-live' });
const ctx = new TestGuardContext([a, b]);
const dir = mkdtempSync(join(tmpdir(), 'grith-parity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString('base64');
const hex = (s: string) => Buffer.from(s).toString('hex');
const core = (v: string) => v.slice(v.indexOf('_') + 1);

const fires = (d: Decision) => (d.verdict === 'allow' ? [] : d.fires.map((f) => `${f.canaryId}:${f.variant}`));

function viaExec(text: string): string[] {
  return fires(judgeExec(ctx.snapshot(), { kind: 'execve', pid: 1, ppid: 0, path: '/usr/bin/printf', argv: ['printf', text] }).decision);
}

function viaMount(text: string): string[] {
  const w = new WorkspaceFs({ source: dir, mountpoint: '/mnt', zone: Zone.parse(['in']), zonePolicy: 'alert', ctx, decoyContent: () => ({ content: '', mode: 0o600 }), uid: 0, gid: 0 });
  const fd = openSync(join(dir, `f-${Math.random()}`), 'w+');
  try {
    return fires(w.judgeWrite('out/x', fd, Buffer.from(text), 0).decision);
  } finally {
    closeSync(fd);
  }
}

function viaProxy(text: string): string[] {
  const snap = ctx.snapshot();
  const gate = new BodyGate(snap.matcher!);
  const hits = [...gate.pushSync(Buffer.from(text)).hits, ...gate.endSync().hits];
  return fires(judgeHits(snap, hits, describeRequest(snap, { host: 'x.example', port: 443, tls: true }, 'POST', '/')));
}

describe('one ranking in every guard', () => {
  const table: Array<[string, string, string[]]> = [
    ['a plain token', `key=${a.value}`, ['a:plain']],
    ['its base64', `x ${b64(a.value)} y`, ['a:base64']],
    ['plain and base64 side by side', `${b64(a.value)} ${a.value}`, ['a:plain']],
    ['hex', hex(a.value), ['a:hex']],
    ['the random core alone', core(a.value), ['a:core']],
    ['two canaries, in the order they appear', `${b.value} then ${hex(a.value)}`, ['b:plain', 'a:hex']],
  ];
  for (const [name, text, want] of table) {
    it(name, () => {
      expect(viaExec(text)).toEqual(want);
      expect(viaMount(text)).toEqual(want);
      expect(viaProxy(text)).toEqual(want);
    });
  }
});
