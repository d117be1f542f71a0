// curl through grith proxy: clean traffic passes unchanged, a canary anywhere in the request is refused.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCanary } from '../../support/canaries.js';
import { TestGuardContext } from '../../support/guard-context.js';
import { httpsUpstream, leakedForms, startProxy, upstreamCa, type TestProxy, type Upstream } from '../../support/proxy-harness.js';

const run = promisify(execFile);
const canary = makeCanary({ id: 'c1' });
const ctx = new TestGuardContext([canary, ...Array.from({ length: 99 }, (_, i) => makeCanary({ id: `o${i}` }))]);
let up: Upstream;
let px: TestProxy;

beforeAll(async () => {
  const ca = await upstreamCa();
  up = await httpsUpstream(ca);
  px = await startProxy(ctx, ca);
});
afterAll(async () => {
  await px?.close();
  await up?.close();
});

async function curl(args: string[]): Promise<{ code: number; body: string }> {
  const r = await run('curl', ['-sS', '--max-time', '10', '--proxy', px.url, '--cacert', px.caFile, '-w', '\n%{http_code}', ...args], {
    env: { ...process.env, NO_PROXY: '', no_proxy: '' },
  }).catch((e: { stdout: string; stderr: string }) => ({ stdout: e.stdout, stderr: e.stderr }));
  const lines = r.stdout.trimEnd().split('\n');
  return { code: Number(lines.pop()), body: lines.join('\n') };
}

describe('curl through grith proxy (TLS intercepted)', () => {
  it('passes a clean GET and POST', async () => {
    const g = await curl([`https://127.0.0.1:${up.port}/hello?x=1`]);
    expect(g.code).toBe(200);
    expect(JSON.parse(g.body)).toMatchObject({ method: 'GET', url: '/hello?x=1' });
    const p = await curl(['--data-binary', 'a=1&b=2', `https://127.0.0.1:${up.port}/post`]);
    expect(JSON.parse(p.body)).toMatchObject({ method: 'POST', length: 7 });
  });

  it('refuses a canary in the URL, a header, a cookie and a body', async () => {
    const before = ctx.events.length;
    const cases = [
      [`https://127.0.0.1:${up.port}/x?token=${canary.value}`],
      ['-H', `Authorization: Bearer ${canary.value}`, `https://127.0.0.1:${up.port}/h`],
      ['--cookie', `session=${canary.value}`, `https://127.0.0.1:${up.port}/c`],
      ['--data-binary', `token=${canary.value}`, `https://127.0.0.1:${up.port}/b`],
    ];
    for (const c of cases) {
      const r = await curl(c);
      expect(r.code).toBe(403);
      expect(r.body.trim()).toBe(
        `grith blocked this request: it carries the credential canary "${canary.label}", a decoy planted by grith to catch exfiltration (event #${ctx.events.length})`,
      );
    }
    expect(ctx.events.length - before).toBe(cases.length);
    expect(ctx.events.at(-1)).toMatchObject({ kind: 'canary.fired', guard: 'proxy', action: 'deny', canaryId: 'c1' });
    expect(JSON.stringify(ctx.events)).not.toContain(canary.value);
    expect(leakedForms(up.received(), canary)).toEqual([]);
  });
});
