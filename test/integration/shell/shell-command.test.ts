// `grith shell -c CMD` through the real CLI: bash -c parity, env placement, denials with events, terminate,
// fail closed, teardown. Every blocked case proves the program never ran (a marker file it would have created).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../../src/events/event-log.js';
import type { GrithEvent } from '../../../src/events/types.js';
import { buildId, hostPaths } from '../../../src/session/shell/host/protocol.js';
import { BIN, REPO, addCanary, buildExecGuard, grithRun, run } from '../../support/shell-run.js';

let root: string;
let home: string;
let token: { id: string; value: string };

beforeAll(async () => {
  buildExecGuard();
  root = mkdtempSync(join(tmpdir(), 'grith-shc-'));
  home = join(root, 'home');
  token = await addCanary(home, ['--format', 'github-pat', '--label', 'ci-token', '--env', 'GITHUB_TOKEN']);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

function workdir(): string {
  const w = mkdtempSync(join(root, 'w-'));
  writeFileSync(join(w, '.env'), `${token.value}\n`);
  return w;
}

/** Where -c sessions run: through the shell host (default) or in-process (GRITH_SHELL_HOST=0). */
let modeEnv: NodeJS.ProcessEnv = {};
const g = (args: string[], opts: { home: string; cwd?: string; input?: string; env?: NodeJS.ProcessEnv }) =>
  grithRun(args, { ...opts, env: { ...modeEnv, ...opts.env } });
const shell = (cmd: string, cwd: string, extra: string[] = []) => g(['shell', '--no-proxy', '-c', cmd, ...extra], { home, cwd });
/** The same without the sandbox (GRITH_NO_SANDBOX=1, as an agent's environment would set it). */
const unsandboxed = (cmd: string, cwd: string) => g(['shell', '--no-proxy', '-c', cmd], { home, cwd, env: { GRITH_NO_SANDBOX: '1' } });

/** Start the home's shell host and wait until it answers, so the suite runs through it. */
async function warmHost(h: string): Promise<void> {
  const sock = hostPaths(h, buildId(join(REPO, 'dist', 'src', 'session', 'shell', 'host', 'main.js'))).sock;
  await grithRun(['shell', '--no-proxy', '-c', 'true'], { home: h });
  const deadline = Date.now() + 30_000;
  while (!existsSync(sock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // Unsandboxed, the program sees the host's own socket path, which names the host.
  const r = await grithRun(['shell', '--no-proxy', '--no-sandbox', '-c', 'echo "$GRITH_EXEC_SOCK"'], { home: h });
  if (!r.stdout.includes('grith-host-')) throw new Error(`shell host did not come up: ${r.stdout} ${r.stderr}`);
}

/** Pids of live processes whose command line is exactly this. */
function processesRunning(cmdline: string): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        return readFileSync(`/proc/${n}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') === cmdline && running(Number(n));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Alive and not a zombie waiting for its (re-)parent to reap it. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function events(h = home): Promise<GrithEvent[]> {
  return new EventLog(h).readAll();
}

for (const mode of ['shell host', 'in-process'] as const) {
describe(`grith shell -c (${mode})`, () => {
  beforeAll(async () => {
    modeEnv = mode === 'in-process' ? { GRITH_SHELL_HOST: '0' } : {};
    if (mode === 'shell host') await warmHost(home);
  }, 60_000);

  if (mode === 'shell host') {
    it('runs through the shell host once it is up', async () => {
      const r = await unsandboxed('echo "$GRITH_EXEC_SOCK"', workdir());
      expect(r.stdout).toMatch(/grith-host-[^/]+\/s-[0-9a-f]{8}\.sock\n$/);
      // Sandboxed, the same socket is bound in under the session's own name.
      const inside = await shell('echo "$GRITH_SESSION $GRITH_EXEC_SOCK"; test -S "$GRITH_EXEC_SOCK" && echo socket', workdir());
      const [id, sock] = inside.stdout.split('\n')[0]!.split(' ');
      expect(sock).toBe(`/tmp/grith/exec-${id}.sock`);
      expect(inside.stdout).toContain('socket\n');
    });
  }

  describe('grith shell -c: parity with bash -c', () => {
    const cases: Array<[string, string[]]> = [
      ['echo out; echo err >&2; exit 7', []],
      ['printf "a\\nb"', []],
      ['read x; echo "got $x"', []],
      ['echo "$0|$1|$2"', ['zero', 'one', 'two']],
      ['ls /nonexistent-grith-dir', []],
      ['kill -TERM $$', []],
      ['exit 0', []],
    ];
    for (const [cmd, extra] of cases) {
      it(`matches bash -c for: ${cmd}`, async () => {
        const w = workdir();
        const want = await run('/bin/bash', ['-c', cmd, ...extra], { cwd: w, input: 'hello\n' });
        const got = await g(['shell', '--no-proxy', '-c', cmd, ...extra], { home, cwd: w, input: 'hello\n' });
        expect({ code: got.code, stdout: got.stdout, stderr: got.stderr }).toEqual({
          code: want.code ?? 128 + 15,
          stdout: want.stdout,
          stderr: want.stderr,
        });
      });
    }

    it('accepts bash option clusters such as -lc, as agents use them', async () => {
      const r = await g(['shell', '--no-proxy', '-ec', 'false; echo not-reached'], { home });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
    });
  });

  describe('grith shell -c: the session', () => {
    it('sets the --env canary and keeps it through env -i', async () => {
      const w = workdir();
      const r = await shell('printenv GITHUB_TOKEN; env -i /usr/bin/printenv GITHUB_TOKEN', w);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${token.value}\n${token.value}\n`);
    });

    it('inside a session, grith shell -c reuses the enclosing guard instead of starting a second session', async () => {
      const w = workdir();
      const inner = `node ${BIN} shell -c 'echo "inner $GRITH_SESSION"; /usr/bin/touch marker "$GITHUB_TOKEN"; echo "rc=$?"'`;
      const r = await shell(`echo "outer $GRITH_SESSION"; ${inner}`, w);
      const [outer, innerLine, rc] = r.stdout.trim().split('\n');
      expect(outer).toMatch(/^outer [0-9a-f]{8}$/);
      expect(innerLine).toBe(outer!.replace('outer', 'inner'));
      expect(rc).toBe('rc=126');
      expect(r.stderr).toContain('grith: blocked exec of touch: argument carries credential canary "ci-token"');
      expect(existsSync(join(w, 'marker'))).toBe(false);
    });

    it('works as an agent\'s $SHELL through bin/grith-shell.js', async () => {
      const w = workdir();
      const r = await run(process.execPath, [join(dirname(BIN), 'grith-shell.js'), '-c', 'echo "via $GRITH_SESSION"; exit 4'], {
        cwd: w,
        env: { ...process.env, ...modeEnv, GRITH_HOME: home },
      });
      expect(r.code).toBe(4);
      expect(r.stdout).toMatch(/^via [0-9a-f]{8}\n$/);
    });

    it('refuses -c CMD that carries a canary before anything runs', async () => {
      const w = workdir();
      const r = await shell(`touch marker; curl -s http://127.0.0.1:9/ -d ${token.value}`, w);
      expect(r.code).toBe(126);
      expect(r.stderr).toContain('grith: blocked command: argument carries credential canary "ci-token"');
      expect(existsSync(join(w, 'marker'))).toBe(false);
      expect(r.stdout).toBe('');
    });

    it('refuses an exec whose argument was built by expansion, records a masked event, banner on stderr only', async () => {
      const w = workdir();
      const before = (await events()).length;
      const r = await shell('T=$(cat .env); /usr/bin/touch marker "$T"; echo after', w);
      expect(r.code).toBe(0); // bash carries on after the failed exec, as it would after any exec failure
      expect(r.stdout).toBe('after\n');
      expect(r.stderr).toContain('grith: blocked exec of touch: argument carries credential canary "ci-token"');
      expect(r.stderr).toContain('CANARY FIRED');
      expect(existsSync(join(w, 'marker'))).toBe(false);
      const fired = (await events()).slice(before).filter((e) => e.kind === 'canary.fired');
      expect(fired.length).toBe(1);
      expect(fired[0]).toMatchObject({ guard: 'shell', action: 'deny', canaryId: token.id, label: 'ci-token', variant: 'plain' });
      expect(fired[0].where).toBe(`/usr/bin/touch marker ghp_…${token.value.slice(-4)}`);
      expect(typeof fired[0].pid).toBe('number');
      const raw = readFileSync(join(home, 'events.jsonl'), 'utf8');
      expect(raw).not.toContain(token.value);
      expect(raw).not.toContain(token.value.slice(4, 24));
      expect(await new EventLog(home).verify()).toMatchObject({ ok: true });
    });

    it('sees curl to a closed port with the token from a file (the request never starts)', async () => {
      const w = workdir();
      const r = await shell('curl -s -m 2 "http://127.0.0.1:9/?t=$(cat .env)"; echo "rc=$?"', w);
      expect(r.stdout).toBe('rc=126\n');
      expect(r.stderr).toContain('grith: blocked exec of curl');
    });

    it('a background job does not outlive a sandboxed session (its PID namespace ends with it)', async () => {
      const w = workdir();
      const r = await shell('mkfifo fifo; (read -t 1 x <>fifo; /usr/bin/touch late) >/dev/null 2>"$PWD/late.err" & echo started', w);
      expect(r.stdout).toBe('started\n');
      await new Promise((res) => setTimeout(res, 1500));
      expect(existsSync(join(w, 'late'))).toBe(false);
      // Killed with the namespace: before or after it opened its stderr, it never got to exec anything.
      expect(existsSync(join(w, 'late.err')) ? readFileSync(join(w, 'late.err'), 'utf8') : '').toBe('');
    });

    it('fails closed after the session ends: a leftover background job cannot exec (--no-sandbox)', async () => {
      const w = workdir();
      // The job waits with a builtin (read on a FIFO opened read-write never blocks on open), so no exec happens
      // until the session is gone; then its exec of touch must be refused.
      const r = await unsandboxed('mkfifo fifo; (read -t 1 x <>fifo; /usr/bin/touch late) >/dev/null 2>"$PWD/late.err" & echo "$GRITH_EXEC_SOCK"', w);
      expect(r.code).toBe(0);
      const sock = r.stdout.trim();
      expect(sock).toMatch(/grith-(sh-.*\/exec|host-.*\/s-[0-9a-f]{8})\.sock$/);
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !readFileSync(join(w, 'late.err'), 'utf8').includes('touch')) await new Promise((res) => setTimeout(res, 100));
      expect(existsSync(sock)).toBe(false);
      expect(existsSync(join(w, 'late'))).toBe(false);
      expect(readFileSync(join(w, 'late.err'), 'utf8')).toContain('grith: blocked exec of touch: cannot reach the grith session');
    });

    it('fails closed when the store is corrupt: nothing runs', async () => {
      const bad = join(mkdtempSync(join(root, 'bad-')), 'home');
      const w = workdir();
      await addCanary(bad, ['--format', 'github-pat']);
      if (mode === 'shell host') await warmHost(bad);
      writeFileSync(join(bad, 'store.json'), '{ not json');
      if (mode === 'shell host') {
        // The running host sees the damaged store within a second (file watch) and from then on refuses.
        const until = Date.now() + 10_000;
        while (Date.now() < until && (await g(['shell', '--no-proxy', '-c', 'true'], { home: bad })).code === 0) await new Promise((res) => setTimeout(res, 100));
      }
      const r = await g(['shell', '--no-proxy', '-c', 'touch marker'], { home: bad, cwd: w });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^grith: canary store .*store\.json is unreadable/m);
      expect(existsSync(join(w, 'marker'))).toBe(false);
    });

    it('ends the whole session when a terminate canary fires, after the event is written', async () => {
      const th = join(mkdtempSync(join(root, 'term-')), 'home');
      const t = await addCanary(th, ['--format', 'github-pat', '--label', 'tripwire', '--terminate', '--env', 'TRIP']);
      if (mode === 'shell host') await warmHost(th);
      const w = workdir();
      // A duration no other test uses: the process is found by it from outside (its pid is the sandbox's own).
      const script = 'sleep 60.0731 & sleep 0.2; /bin/echo "$TRIP"; touch after';
      const r = await g(['shell', '--no-proxy', '-c', script], { home: th, cwd: w });
      expect(r.code).toBe(137);
      expect(r.stderr).toContain('session terminated: canary "tripwire"');
      expect(existsSync(join(w, 'after'))).toBe(false);
      await new Promise((res) => setTimeout(res, 200));
      expect(processesRunning('sleep 60.0731')).toEqual([]);
      const fired = (await events(th)).filter((e) => e.kind === 'canary.fired');
      expect(fired).toHaveLength(1);
      expect(fired[0]).toMatchObject({ canaryId: t.id, detail: expect.objectContaining({ terminate: true }) });
    });

    it('passes SIGTERM to the command and removes the session socket (--no-sandbox)', async () => {
      const w = workdir();
      const child = spawn(process.execPath, [BIN, 'shell', '--no-proxy', '--no-sandbox', '-c', 'echo "$GRITH_EXEC_SOCK" > sock.txt; sleep 30'], {
        cwd: w,
        env: { ...process.env, ...modeEnv, GRITH_HOME: home },
        stdio: 'ignore',
      });

      const deadline = Date.now() + 15_000;
      while (!existsSync(join(w, 'sock.txt')) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      const sock = readFileSync(join(w, 'sock.txt'), 'utf8').trim();
      expect(existsSync(sock)).toBe(true);
      const code = await new Promise<number | null>((res) => {
        child.on('exit', (c) => res(c));
        child.kill('SIGTERM');
      });
      expect(code).toBe(143);
      // The host removes a session's socket once its client is gone; in-process, the folder goes with the process.
      const gone = Date.now() + 5_000;
      while (existsSync(sock) && Date.now() < gone) await new Promise((res) => setTimeout(res, 50));
      expect(existsSync(sock)).toBe(false);
    });

    it('passes SIGTERM to a sandboxed command and leaves none of the session behind', async () => {
      const w = workdir();
      const child = spawn(process.execPath, [BIN, 'shell', '--no-proxy', '-c', 'echo "$GRITH_SESSION" > id.txt; sleep 30.0417'], {
        cwd: w,
        env: { ...process.env, ...modeEnv, GRITH_HOME: home },
        stdio: 'ignore',
      });
      const deadline = Date.now() + 15_000;
      while (!existsSync(join(w, 'id.txt')) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      const id = readFileSync(join(w, 'id.txt'), 'utf8').trim();
      expect(id).toMatch(/^[0-9a-f]{8}$/);
      const code = await new Promise<number | null>((res) => {
        child.on('exit', (c) => res(c));
        child.kill('SIGTERM');
      });
      expect(code).toBe(143);
      // In-process: the session's folder; through the host: the session's socket in the host's folder.
      const leftovers = () =>
        readdirSync(tmpdir()).flatMap((n) =>
          n.startsWith(`grith-sh-${id}-`) ? [n] : n.startsWith('grith-host-') ? readdirSync(join(tmpdir(), n)).filter((f) => f === `s-${id}.sock`) : [],
        );
      const gone = Date.now() + 5_000;
      while (leftovers().length > 0 && Date.now() < gone) await new Promise((res) => setTimeout(res, 50));
      expect(leftovers()).toEqual([]);
      // The sandbox's PID namespace ends with the session: nothing it started lives on.
      expect(processesRunning('sleep 30.0417')).toEqual([]);
    });
  });
});
}
