// The exec guard end to end: the real preload library in real programs, asking a real socket server before each exec.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExecGuardServer } from '../../../src/guards/shell/exec-guard-server.js';
import { makeCanary } from '../../support/canaries.js';
import { TestGuardContext } from '../../support/guard-context.js';
import { buildExecGuard, fakeGithubToken, run } from '../../support/shell-run.js';

const TOKEN = fakeGithubToken();
let lib: string;
let dir: string;
let work: string;
let ctx: TestGuardContext;
let server: ExecGuardServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  lib = buildExecGuard();
  dir = mkdtempSync(join(tmpdir(), 'grith-xg-'));
  ctx = new TestGuardContext([makeCanary({ id: 'c1', label: 'deploy key', value: TOKEN, env: ['GH_TOKEN'] })], 'test-session');
  server = await ExecGuardServer.listen({ ctx, socketPath: join(dir, 'exec.sock') });
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LD_PRELOAD: lib,
    GRITH_EXEC_SOCK: join(dir, 'exec.sock'),
    GRITH_EXEC_ENV: 'GH_TOKEN',
    GH_TOKEN: TOKEN,
  };
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  work = mkdtempSync(join(dir, 'w-'));
  writeFileSync(join(work, '.env'), `GH_TOKEN=${TOKEN}\n`);
  writeFileSync(join(work, 'token'), TOKEN);
  ctx.events.length = 0;
});

const sh = (script: string) => run('/bin/bash', ['-c', script], { cwd: work, env });
const marker = () => existsSync(join(work, 'marker'));

function expectBlocked(r: { stderr: string }, prog: string) {
  expect(r.stderr).toContain(`grith: blocked exec of ${prog}: argument carries credential canary "deploy key"`);
  expect(marker()).toBe(false);
  const fired = ctx.events.filter((e) => e.kind === 'canary.fired');
  expect(fired.length).toBeGreaterThan(0);
  expect(fired[0]).toMatchObject({ guard: 'shell', action: 'deny', canaryId: 'c1', label: 'deploy key' });
  expect(JSON.stringify(ctx.events)).not.toContain(TOKEN);
  expect(JSON.stringify(ctx.events)).not.toContain(TOKEN.slice(4));
}

describe('exec guard (LD_PRELOAD + session socket)', () => {
  it('lets ordinary commands run, output and exit code unchanged', async () => {
    const r = await sh('/bin/echo hello; ls . >/dev/null; touch marker; exit 3');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('hello\n');
    expect(marker()).toBe(true);
    expect(ctx.events).toEqual([]);
  });

  it('refuses a plain token in argv before the program runs', async () => {
    const r = await sh(`touch marker ${TOKEN}`);
    expect(r.code).not.toBe(0);
    expectBlocked(r, 'touch');
    const e = ctx.events[0];
    expect(e.where).toMatch(/^touch marker ghp_…/);
    expect(e.variant).toBe('plain');
    expect(typeof e.pid).toBe('number');
    expect(typeof e.detail?.ppid).toBe('number');
  });

  it('sees children of children', async () => {
    const r = await sh(`bash -c 'bash -c "touch marker \\$(cat token)"'`);
    expectBlocked(r, 'touch');
  });

  it('sees arguments built by expansion: T=$(cat .env); prog "$T"', async () => {
    const r = await sh('T=$(cat token); /bin/echo "$T" > out; touch marker "$T"');
    expect(r.stdout).toBe('');
    expectBlocked(r, 'echo');
  });

  it('sees an encoded token (base64)', async () => {
    const r = await sh('touch marker "$(base64 -w0 < token)"');
    expectBlocked(r, 'touch');
    expect(ctx.events[0].variant).toBe('base64');
    expect(ctx.events[0].where).toContain('«base64»');
  });

  it('keeps the guard in a child started with env -i', async () => {
    const r = await sh(`env -i /bin/bash -c 'T=$(cat token); /usr/bin/touch marker "$T"'`);
    expectBlocked(r, 'touch');
  });

  it('keeps the canary variables in a child started with env -i', async () => {
    const r = await sh('env -i /usr/bin/printenv GH_TOKEN');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(TOKEN);
    const r2 = await sh('env -i /bin/bash -c \'touch marker "$GH_TOKEN"\'');
    expectBlocked(r2, 'touch');
  });

  it('sees python subprocess.run with env={} (vfork child path)', async () => {
    const py = `import subprocess; t=open("token").read().strip(); r=subprocess.run(["/usr/bin/touch","marker",t], env={}); print("rc", r.returncode)`;
    const r = await run('python3', ['-c', py], { cwd: work, env });
    expectBlocked(r, 'touch');
    expect(r.stderr + r.stdout).toMatch(/PermissionError|rc /);
  });

  it('propagates the guard through python env={} into a shell that uses the variable', async () => {
    const py = `import subprocess; subprocess.run(["/bin/bash","-c","touch marker \\"$GH_TOKEN\\""], env={})`;
    const r = await run('python3', ['-c', py], { cwd: work, env });
    expectBlocked(r, 'touch');
  });

  it('sees python os.system (libc system) and os.posix_spawn', async () => {
    const r = await run('python3', ['-c', `import os; t=open("token").read().strip(); print(os.system("touch marker " + t))`], { cwd: work, env });
    expectBlocked(r, 'sh');
    ctx.events.length = 0;
    const r2 = await run(
      'python3',
      ['-c', `import os; t=open("token").read().strip()\ntry:\n  os.posix_spawn("/usr/bin/touch", ["touch","marker",t], {})\nexcept PermissionError as e: print("denied", e.errno)`],
      { cwd: work, env },
    );
    expect(r2.stdout).toContain('denied 13');
    expectBlocked(r2, 'touch');
  });

  it('sees node -e spawning a child', async () => {
    const js = `const cp=require('child_process'); const t=require('fs').readFileSync('token','utf8').trim(); const r=cp.spawnSync('/usr/bin/touch',['marker',t],{env:{},stdio:'inherit'}); console.log(String(r.error&&r.error.code))`;
    const r = await run(process.execPath, ['-e', js], { cwd: work, env });
    expect(r.stdout).toContain('EACCES');
    expectBlocked(r, 'touch');
  });

  it('sees xargs', async () => {
    const r = await sh('cat token | xargs touch marker');
    expectBlocked(r, 'touch');
  });

  it('sees a token split across two arguments', async () => {
    const r = await sh(`touch marker ${TOKEN.slice(0, 20)} ${TOKEN.slice(20)}`);
    expectBlocked(r, 'touch');
    expect(ctx.events[0].where).not.toContain(TOKEN.slice(4, 20));
  });

  it('checks a large argv whole (a token after 50,000 arguments)', async () => {
    const r = await sh('set -- $(seq 1 50000); /usr/bin/touch marker "$@" "$(cat token)"');
    expectBlocked(r, 'touch');
    const r2 = await sh('set -- $(seq 1 50000); /bin/true marker "$@"; echo "rc=$?"');
    expect(r2.stdout).toBe('rc=0\n');
  });

  it('fails closed when the session socket is gone', async () => {
    const r = await run('/bin/bash', ['-c', 'touch marker'], { cwd: work, env: { ...env, GRITH_EXEC_SOCK: join(dir, 'nope.sock') } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('grith: blocked exec of touch: cannot reach the grith session');
    expect(marker()).toBe(false);
  });

  it('fails closed when the session has no usable store', async () => {
    const saved = ctx.snapshot().canaries;
    ctx.fail();
    try {
      const r = await sh('touch marker');
      expect(r.stderr).toContain('grith: blocked exec of touch: grith cannot check it');
      expect(marker()).toBe(false);
      expect(ctx.events[0]).toMatchObject({ kind: 'guard.error', guard: 'shell', action: 'deny' });
    } finally {
      ctx.set(saved);
    }
  });
});
