// grith-launch end to end: real programs (static busybox, raw syscalls, bash, git, python) under the real seccomp
// supervisor, asking a real exec guard server; as root and as an ordinary user.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../../src/events/types.js';
import { encodeFrame } from '../../../src/guards/shell/exec-protocol.js';
import { makeCanary } from '../../support/canaries.js';
import { buildProbe, finished, LaunchSession, printed, type Launched, type SessionOptions } from '../../support/seccomp-launch.js';
import { buildExecGuard, fakeGithubToken, run } from '../../support/shell-run.js';
import { chownTree, testUser, type TestUser } from '../../support/users.js';

const TOKEN = fakeGithubToken();
const canary = makeCanary({ id: 'c1', label: 'deploy key', value: TOKEN });
const BLOCKED = 'grith: blocked exec of touch: argument carries credential canary "deploy key"';
let root: string;
let probe: string;

beforeAll(() => {
  buildExecGuard(); // builds grith-launch too
  root = mkdtempSync(join(tmpdir(), 'grith-sl-'));
  execFileSync('chmod', ['0755', root]);
  probe = buildProbe(root);
  const busybox = readFileSync('/bin/busybox').subarray(0, 4096).toString('latin1');
  if (busybox.includes('ld-linux')) throw new Error('/bin/busybox is dynamically linked: install busybox-static (./run does)');
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Ask the session directly, as the LD_PRELOAD library would (any process of the session can). */
function askSession(sock: string, path: string, argv: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(sock);
    let answer = '';
    s.on('data', (d) => (answer += d));
    s.on('end', () => resolve(answer));
    s.on('error', reject);
    s.write(encodeFrame({ kind: 'execve', pid: 4242, ppid: 1, path, argv }));
  });
}

for (const who of ['root', 'an ordinary user'] as const) {
  describe(`grith-launch (${who})`, () => {
    let user: TestUser | null = null;
    let work: string;
    let session: LaunchSession | null = null;

    beforeAll(() => {
      user = who === 'root' ? null : testUser();
    });

    afterEach(async () => {
      await session?.close();
      session = null;
      rmSync(work, { recursive: true, force: true });
    });

    async function launch(program: string[], opts: Partial<SessionOptions> = {}, env: Record<string, string> = {}): Promise<Launched> {
      work = mkdtempSync(join(root, 'w-'));
      if (user) chownTree(work, user);
      session = await LaunchSession.start(root, { user, canaries: [canary], ...opts });
      return session.run(program, work, { T: TOKEN, ...env });
    }
    const marker = (name = 'marker') => existsSync(join(work, name));
    const fired = (): EventInput[] => session!.events.filter((e) => e.kind === 'canary.fired');

    function expectRefused(r: Launched, exec = 'seccomp-execve') {
      expect(r.errors).toContain(BLOCKED);
      expect(marker()).toBe(false);
      expect(fired().length).toBeGreaterThan(0);
      expect(fired()[0]).toMatchObject({ guard: 'shell', action: 'deny', canaryId: 'c1', detail: { exec } });
      expect(JSON.stringify(session!.events)).not.toContain(TOKEN);
    }

    it('runs ordinary commands (bash, a pipeline, git --version, python3 -c) unchanged; approved execs are not asked twice', async () => {
      const script = `echo hi | tr a-z A-Z; git --version | cut -d' ' -f1-2; python3 -c 'import subprocess; subprocess.run(["true"], check=True); print(3)'; exit 3`;
      const r = await launch(['bash', '-c', script], { approvals: true, preload: true });
      expect(r.errors).toBe('');
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('HI\ngit version\n3\n');
      expect(session!.events).toEqual([]);
      // PROGRAM's own exec (bash) is the supervisor's to ask; tr, git, cut, python3 and true were approved by the
      // library first, so none of them is asked again.
      expect(r.stats!.notified).toBeGreaterThanOrEqual(6);
      expect(r.stats).toMatchObject({ shortcut: r.stats!.notified - 1, asked: 1, denied: 0 });
    });

    it('runs them with the supervisor alone (no library, no approvals): every exec asked', async () => {
      const r = await launch(['bash', '-c', `echo hi | tr a-z A-Z; git --version | cut -d' ' -f1-2; python3 -c 'print(3)'`]);
      expect(r.errors).toBe('');
      expect([r.code, r.stdout]).toEqual([0, 'HI\ngit version\n3\n']);
      expect(r.stats!.asked).toBe(r.stats!.notified);
      expect(session!.events).toEqual([]);
    });

    it("checks PROGRAM's own exec: a token in its argv never runs, one line says why", async () => {
      const r = await launch(['/usr/bin/touch', 'marker', TOKEN], { approvals: true, preload: true });
      expect(r.code).toBe(126);
      expectRefused(r);
      expect(r.errors.trim().split('\n')).toHaveLength(1);
    });

    it('refuses a static busybox exec of a program with a token in argv (the library cannot see it)', async () => {
      const r = await launch(['bash', '-c', `busybox sh -c '/usr/bin/touch marker "$T"'; echo "rc=$?"; busybox sh -c '/usr/bin/touch clean'`], {
        approvals: true,
        preload: true,
      });
      expect(r.stdout).toBe('rc=126\n');
      expectRefused(r);
      expect(marker('clean')).toBe(true);
    });

    it('refuses raw syscall(SYS_execve), execveat(AT_EMPTY_PATH) and an exec from a second thread', async () => {
      const r = await launch(
        ['bash', '-c', `for op in rawexec rawexecveat threadexec; do ${probe} $op /usr/bin/touch touch marker {T}; done; ${probe} rawexec /usr/bin/touch touch clean`],
        { approvals: true, preload: true },
      );
      expect(r.stdout).toBe('execve: EACCES\nexecveat: EACCES\nexecve: EACCES\n');
      expectRefused(r);
      expect(fired().map((e) => e.detail?.exec)).toEqual(['seccomp-execve', 'seccomp-execveat', 'seccomp-execve']);
      expect(marker('clean')).toBe(true);
    });

    it('reads a long argv whole (a token after 1.5 MB of arguments) and takes a NULL argv', async () => {
      const r = await launch(['bash', '-c', `${probe} bigargv 1500 /usr/bin/touch touch marker {T}; ${probe} bigargv 1500 /bin/true true && ${probe} nullargv /bin/true && echo ok`]);
      expect(r.stdout).toBe('execve: EACCES\nok\n');
      expectRefused(r);
    });

    it('denies ptrace, process_vm_readv/writev, pidfd_getfd, io_uring and a second listener (EPERM); kills a 32-bit syscall', async () => {
      const outside = await run(probe, ['int80'], {});
      const ops = ['ptrace', 'vmread', 'pidfd', 'uring', 'listener'].map((op) => `${probe} ${op}`).join('; ');
      const r = await launch(['bash', '-c', `${ops}; ${probe} int80; echo "int80=$?"`]);
      expect(r.stdout).toContain(
        [
          'ptrace(ATTACH): EPERM',
          'process_vm_readv: EPERM',
          'process_vm_writev: EPERM',
          'pidfd_getfd: EPERM',
          'io_uring_setup: EPERM',
          'io_uring_enter: EPERM',
          'io_uring_register: EPERM',
          'seccomp(NEW_LISTENER): EPERM',
          'seccomp(plain filter): ok',
        ].join('\n'),
      );
      // Where the kernel runs i386 syscalls at all, the filter kills the process (SIGSYS = 31).
      expect(r.stdout).toContain(outside.stdout === 'int80: ok\n' ? 'int80=159' : 'int80=');
      expect(r.stdout).not.toContain('int80: ok');
    });

    it('fails closed when the supervisor is killed: no further exec runs', async () => {
      const r = await launch(['bash', '-c', 'kill -9 $PPID; /usr/bin/touch marker; echo "rc=$?"'], { approvals: true, preload: true });
      expect(r.signal).toBe('SIGKILL');
      expect(r.stdout).toBe('rc=126\n');
      expect(r.stderr).toContain('Function not implemented');
      expect(marker()).toBe(false);
    });

    it('fails closed when the session does not answer: even PROGRAM is refused', async () => {
      const r = await launch(['/usr/bin/touch', 'marker'], { deadSocket: true });
      expect(r.code).toBe(126);
      expect(r.errors).toContain('grith: blocked exec of touch: cannot reach the grith session (guard socket gone)');
      expect(marker()).toBe(false);
    });

    it('fails closed on memory it cannot read (a non-dumpable process), unless it may (root)', async () => {
      const r = await launch(['bash', '-c', `${probe} nodumpexec /usr/bin/touch touch marker`]);
      if (user) {
        expect(r.stdout).toBe('execve: EACCES\n');
        expect(r.errors).toMatch(/grith: blocked an exec of pid \d+: grith cannot read its path and arguments/);
        expect(r.stats!.unreadable).toBe(1);
        expect(marker()).toBe(false);
      } else {
        expect([r.stdout, r.stats!.unreadable]).toEqual(['', 0]);
        expect(marker()).toBe(true);
      }
    });

    describe('the approvals shortcut', () => {
      const late = makeCanary({ id: 'c2', label: 'late key' });

      /** The probe waits; the test gets (path, argv) approved by asking as the library would; then the probe execs. */
      async function approvedThenExec(approvedPath: string, between: () => void): Promise<Launched> {
        work = mkdtempSync(join(root, 'w-'));
        if (user) chownTree(work, user);
        session = await LaunchSession.start(root, { user, canaries: [canary], approvals: true });
        const child = session.spawn([probe, 'waitexec', '/usr/bin/touch', 'touch', 'marker', '{T2}'], work, { T2: late.value });
        const done = finished(child);
        await printed(child, 'ready');
        expect(await askSession(join(session.dir, 'exec.sock'), approvedPath, ['touch', 'marker', late.value])).toBe('A\n');
        between();
        child.stdin!.end('go\n');
        return done;
      }

      it('lets an exec the session just approved go on without asking (a bare name matches its PATH lookup)', async () => {
        const r = await approvedThenExec('touch', () => undefined);
        expect(marker()).toBe(true);
        expect(r.stats).toMatchObject({ shortcut: 1, asked: 1 }); // asked: the probe's own exec
        expect(session!.events).toEqual([]);
      });

      it('forgets every approval when the store changes: the same exec is asked again and refused', async () => {
        const r = await approvedThenExec('/usr/bin/touch', () => session!.ctx.set([canary, late]));
        expect(r.stdout).toBe('ready\nexecve: EACCES\n');
        expect(marker()).toBe(false);
        expect(r.stats).toMatchObject({ shortcut: 0, asked: 2, denied: 1 });
        expect(fired()[0]).toMatchObject({ canaryId: 'c2', detail: { exec: 'seccomp-execve' } });
      });

      it('takes one supervisor only: the socket is gone once it connected; taken first, grith-launch does not start', async () => {
        const r = await launch(['bash', '-c', 'echo started'], { approvals: true });
        expect(r.stdout).toBe('started\n');
        expect(existsSync(session!.approvals!.socketPath)).toBe(false);
        await session!.close();

        session = await LaunchSession.start(root, { user, canaries: [canary], approvals: true });
        const squatter = connect(session.approvals!.socketPath);
        await Promise.all([new Promise((ok) => squatter.once('connect', ok)), session.approvals!.whenConnected()]);
        const r2 = await session.run(['/usr/bin/touch', 'marker'], work);
        squatter.destroy();
        expect(r2.code).toBe(125);
        expect(r2.errors).toMatch(/^grith-launch: cannot connect to the approvals socket .*approvals\.sock: /);
        expect(marker()).toBe(false);
      });
    });
  });
}
