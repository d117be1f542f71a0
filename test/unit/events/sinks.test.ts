// TerminalSink: one line on the given stream for fired/read events only, safe against terminal control codes.
import { describe, expect, it } from 'vitest';
import { formatAlert, TerminalSink } from '../../../src/events/sinks.js';
import type { GrithEvent } from '../../../src/events/types.js';

const base: GrithEvent = {
  ts: '2024-05-01T12:00:00.000Z',
  seq: 17,
  kind: 'canary.fired',
  guard: 'proxy',
  action: 'deny',
  canaryId: 'k3x9ab2c',
  label: 'aws-prod',
  fingerprint: '1a2b3c4d5e6f',
  variant: 'base64',
  where: 'api.x.io:443',
  pid: 42,
  prevHash: '0'.repeat(64),
  hash: 'f'.repeat(64),
};

function capture(): { out: { write(s: string): boolean }; text: () => string } {
  let buf = '';
  return { out: { write: (s: string) => ((buf += s), true) }, text: () => buf };
}

describe('TerminalSink', () => {
  it('writes exactly one line for canary.fired and canary.read', () => {
    const c = capture();
    const sink = new TerminalSink(c.out);
    sink.deliver(base);
    sink.deliver({ ...base, kind: 'canary.read', action: 'alert', guard: 'fs', where: '.aws/credentials', seq: 18 });
    const ls = c.text().split('\n');
    expect(ls).toHaveLength(3);
    expect(ls[2]).toBe('');
    expect(ls[0]).toBe('grith: DENIED canary "aws-prod" (id k3x9ab2c, fp 1a2b3c4d5e6f) via base64 [proxy] at api.x.io:443 pid 42 #17');
    expect(ls[1]).toMatch(/^grith: decoy read: canary "aws-prod" .*\[fs\] at \.aws\/credentials/);
  });

  it('stays silent for other kinds', () => {
    const c = capture();
    const sink = new TerminalSink(c.out);
    for (const kind of ['canary.added', 'canary.rotated', 'canary.removed', 'guard.error', 'guard.started'] as const) {
      sink.deliver({ ...base, kind, action: 'info' });
    }
    expect(c.text()).toBe('');
  });

  it('replaces control characters so a crafted label or path cannot drive the terminal or add lines', () => {
    const line = formatAlert({ ...base, label: 'x\u001b[2Jy', where: 'a\nb\rc\u2028d\u009bz' });
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028]/);
    expect(line).toContain('"x?[2Jy"');
    expect(line).toContain('a?b?c?d?z');
  });
});
