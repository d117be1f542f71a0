// `grith shell` interactive and `grith shell -- PROGRAM`, driven through a real PTY like a user at a terminal.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, addCanary, buildExecGuard } from '../../support/shell-run.js';

let root: string;
let home: string;
let token: { id: string; value: string };

beforeAll(async () => {
  buildExecGuard();
  root = mkdtempSync(join(tmpdir(), 'grith-shp-'));
  home = join(root, 'home');
  token = await addCanary(home, ['--format', 'github-pat', '--label', 'pty-token', '--env', 'GITHUB_TOKEN']);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Term {
  p: pty.IPty;
  out(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ exitCode: number; signal?: number }>;
  ready(): Promise<void>;
}

function open(args: string[], cols = 100, rows = 30): Term {
  const userHome = mkdtempSync(join(root, 'user-')); // no rc files: a predictable prompt
  const p = pty.spawn(process.execPath, [BIN, 'shell', '--no-proxy', ...args], {
    name: 'xterm',
    cols,
    rows,
    cwd: userHome,
    env: { ...process.env, GRITH_HOME: home, HOME: userHome, SHELL: '/bin/bash', PS1: 'PROMPT> ', INPUTRC: '/dev/null', NO_COLOR: '1' },
  });
  let buf = '';
  const waiters: Array<() => void> = [];
  p.onData((d) => {
    buf += d;
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<{ exitCode: number; signal?: number }>((r) => p.onExit(r));
  let mark = 0;
  const term: Term = {
    p,
    out: () => buf,
    // Line ends arrive as \r\r\n (a PTY inside a PTY), so patterns anchor on [\r\n]. Looks only at output after the previous match, so a repeated prompt is not matched twice.
    waitFor(re, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in ${JSON.stringify(buf.slice(mark))}`)), timeoutMs);
        const check = () => {
          const m = re.exec(buf.slice(mark));
          if (m) {
            mark += m.index + m[0].length;
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
    exited,
    async ready() {
      // The system bashrc may set its own prompt: set ours once the first one shows (split so the echo cannot match).
      await term.waitFor(/[#$] $/);
      p.write("PS1='PRO''MPT> '\r");
      await term.waitFor(/PROMPT> /);
    },
  };
  return term;
}

describe('grith shell in a PTY', () => {
  it('runs the user shell: type a command, read its output, exit status passes through', async () => {
    const t = open([]);
    await t.ready();
    t.p.write('echo $((6*7)) $GRITH_SESSION\r');
    await t.waitFor(/[\r\n]42 [0-9a-f]{8}\r/);
    await t.waitFor(/PROMPT> /);
    t.p.write('[ -t 0 ] && echo "is-a-tty"\r');
    await t.waitFor(/[\r\n]is-a-tty\r/);
    t.p.write('exit 5\r');
    expect((await t.exited).exitCode).toBe(5);
  });

  it('refuses an exec carrying the canary, with the reason and a banner in the terminal', async () => {
    const t = open([]);
    await t.ready();
    t.p.write('touch marker; /bin/echo "$GITHUB_TOKEN"; echo "rc=$?"\r');
    await t.waitFor(/grith: blocked exec of echo: argument carries credential canary "pty-token"/);
    await t.waitFor(/rc=126/);
    // The banner comes from the recorded event, on its own schedule: before or after bash's own lines.
    const deadline = Date.now() + 20_000;
    while (!/CANARY FIRED \[shell\]/.test(t.out()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(t.out()).toMatch(/CANARY FIRED \[shell\]/);
    t.p.write('exit\r');
    await t.exited;
    expect(t.out()).not.toContain(token.value);
  });

  // Regression: the banner was written at once, over a full-screen program's alternate screen.
  it('holds the banner while the program is on the alternate screen, and shows it once the screen is left', async () => {
    const t = open(['--', 'bash', '-c', `printf '\\e[?1049h'; /bin/echo "$GITHUB_TOKEN" 2>/dev/null; sleep 1; printf 'LEAVING\\e[?1049l'; sleep 1`]);
    await t.exited;
    const out = t.out();
    const left = out.indexOf('\x1b[?1049l');
    const banner = out.indexOf('CANARY FIRED [shell]');
    expect(left).toBeGreaterThan(0);
    expect(banner).toBeGreaterThan(left);
  });

  // Issue 14: a person must tell a guarded shell from an unguarded one.
  it('marks the prompt of an interactive shell "(grith) "; --no-prompt leaves it as it is', async () => {
    const t = open([]);
    await t.waitFor(/\(grith\) [^\n]*[#$] $/);
    t.p.write('exit\r');
    await t.exited;
    const u = open(['--no-prompt']);
    await u.waitFor(/[#$] $/);
    expect(u.out()).not.toContain('(grith)');
    u.p.write('exit\r');
    await u.exited;
  });

  it('passes window size changes to the session', async () => {
    const t = open([], 100, 30);
    await t.ready();
    t.p.write('stty size\r');
    await t.waitFor(/[\r\n]30 100\r/);
    await t.waitFor(/PROMPT> /);
    t.p.resize(120, 40);
    // SIGWINCH reaches grith asynchronously; ask until the inner PTY reports the new size.
    const deadline = Date.now() + 10_000;
    let ok = false;
    while (!ok && Date.now() < deadline) {
      t.p.write('stty size\r');
      try {
        await t.waitFor(/[\r\n](\d+ \d+)\r/, 5_000);
        ok = /[\r\n]40 120\r/.test(t.out());
      } catch {
        /* retry */
      }
    }
    expect(ok).toBe(true);
    t.p.write('exit\r');
    await t.exited;
  });

  it('delivers Ctrl-C to the program in the session, not to grith', async () => {
    const t = open([]);
    await t.ready();
    t.p.write('sleep 30\r');
    await new Promise((r) => setTimeout(r, 500));
    t.p.write('\x03');
    await t.waitFor(/PROMPT> /);
    t.p.write('echo still-here\r');
    await t.waitFor(/[\r\n]still-here\r/);
    t.p.write('exit 0\r');
    expect((await t.exited).exitCode).toBe(0);
  });

  it('runs -- PROGRAM ARGS in the PTY and passes its exit status', async () => {
    const t = open(['--', '/bin/sh', '-c', '[ -t 1 ] && echo "prog-tty $GRITH_SESSION"; exit 3']);
    const { exitCode } = await t.exited;
    expect(t.out()).toMatch(/prog-tty [0-9a-f]{8}/);
    expect(exitCode).toBe(3);
  });

  it('on SIGTERM hangs up the session and removes its folder', async () => {
    const t = open(['--', '/bin/sh', '-c', 'echo "id=$GRITH_SESSION;"; sleep 30']);
    await t.waitFor(/id=[0-9a-f]{8};/);
    const id = /id=([0-9a-f]{8});/.exec(t.out())![1]!;
    const folders = () => readdirSync(tmpdir()).filter((n) => n.startsWith(`grith-sh-${id}-`));
    expect(folders()).toHaveLength(1);
    t.p.kill('SIGTERM');
    const { exitCode } = await t.exited;
    expect(exitCode).toBe(129); // the program died of the hangup grith sent it
    expect(folders()).toEqual([]);
  });
});
