// Test helpers for grith-launch (native/seccomp): a real exec guard server (and approvals channel) for one launch,
// reachable by the test user, and the probe program (fixtures/seccomp/probe.c) built once.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Canary } from '../../src/core/canary.js';
import type { EventInput } from '../../src/events/types.js';
import { ExecApprovals } from '../../src/guards/shell/exec-approvals.js';
import { ExecGuardServer } from '../../src/guards/shell/exec-guard-server.js';
import { TestGuardContext } from './guard-context.js';
import { EXEC_LIB, REPO, type RunResult } from './shell-run.js';
import type { TestUser } from './users.js';

export const LAUNCH = join(REPO, 'native', 'seccomp', 'build', 'grith-launch');

/** Compile the probe into dir (readable by everyone). */
export function buildProbe(dir: string): string {
  const out = join(dir, 'probe');
  execFileSync('cc', ['-O2', '-pthread', '-o', out, join(REPO, 'fixtures', 'seccomp', 'probe.c')], { stdio: 'inherit' });
  chmodSync(out, 0o755);
  return out;
}

/** The counters grith-launch --stats prints on exit. */
export interface LaunchStats {
  notified: number;
  shortcut: number;
  asked: number;
  denied: number;
  unreadable: number;
}

export interface Launched extends RunResult {
  stats: LaunchStats | null;
  /** stderr without the stats line. */
  errors: string;
}

export interface SessionOptions {
  user: TestUser | null;
  canaries: Canary[];
  /** Serve an approvals channel and pass --approvals-sock. */
  approvals?: boolean;
  /** LD_PRELOAD the exec guard library too (a grith session's usual setting). */
  preload?: boolean;
  /** Point --exec-sock at a path nobody listens on. */
  deadSocket?: boolean;
}

/** One grith session's guard side, for one grith-launch. */
export class LaunchSession {
  readonly events: EventInput[];

  private constructor(
    readonly dir: string,
    readonly ctx: TestGuardContext,
    readonly server: ExecGuardServer,
    readonly approvals: ExecApprovals | null,
    private readonly opts: SessionOptions,
  ) {
    this.events = ctx.events;
  }

  static async start(base: string, opts: SessionOptions): Promise<LaunchSession> {
    const dir = mkdtempSync(join(base, 's-'));
    const ctx = new TestGuardContext(opts.canaries, 'launch-test');
    const approvals = opts.approvals ? await ExecApprovals.listen(join(dir, 'approvals.sock')) : null;
    const server = await ExecGuardServer.listen({ ctx, socketPath: join(dir, 'exec.sock'), ...(approvals ? { approvals } : {}) });
    // The sockets are the session's (0600): here the session is the test user's.
    const u = opts.user;
    if (u) for (const p of [dir, join(dir, 'exec.sock'), ...(approvals ? [approvals.socketPath] : [])]) chownSync(p, u.uid, u.gid);
    return new LaunchSession(dir, ctx, server, approvals, opts);
  }

  get execSock(): string {
    return this.opts.deadSocket ? join(this.dir, 'nobody.sock') : join(this.dir, 'exec.sock');
  }

  spawn(program: string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
    const args = ['--stats', '--exec-sock', this.execSock, ...(this.approvals ? ['--approvals-sock', this.approvals.socketPath] : []), '--', ...program];
    const u = this.opts.user;
    return spawn(LAUNCH, args, {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(u ? { uid: u.uid, gid: u.gid } : {}),
      env: {
        // Not this machine's PATH: version-manager shims would turn one command into dozens of execs.
        PATH: '/usr/bin:/bin',
        HOME: cwd,
        LANG: 'C',
        GRITH_EXEC_SOCK: this.execSock,
        ...(this.opts.preload ? { LD_PRELOAD: EXEC_LIB } : {}),
        ...env,
      },
    });
  }

  /** Run to the end; input goes to stdin. */
  run(program: string[], cwd: string, env: Record<string, string> = {}, input = ''): Promise<Launched> {
    return finished(this.spawn(program, cwd, env), input);
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.approvals?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Collect a launched process's output until it and its stdio are done. */
export function finished(child: ChildProcess, input?: string, timeoutMs = 20_000): Promise<Launched> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = stderr.split('\n');
      const at = lines.findIndex((l) => l.startsWith('{"notified"'));
      const stats = at >= 0 ? (JSON.parse(lines[at]!) as LaunchStats) : null;
      if (at >= 0) lines.splice(at, 1);
      resolve({ code, signal, stdout, stderr, stats, errors: lines.join('\n') });
    });
    child.stdin!.on('error', () => undefined);
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Resolves once the child printed `text` on stdout. */
export function printed(child: ChildProcess, text: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" on stdout within ${timeoutMs} ms (got ${JSON.stringify(seen)})`)), timeoutMs);
    child.stdout!.on('data', (d) => {
      seen += d;
      if (seen.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
