// `grith shell`: one guarded session — exec guard server, canary env, proxy, optional mount — around a shell,
// a program in a PTY, or a `-c` command with plain inherited stdio. Everything is torn down when it ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { GrithEvent } from '../events/types.js';
import { ExecGuardServer, type ExecFireInfo } from '../guards/shell/exec-guard-server.js';
import { oneLine } from '../guards/shell/exec-protocol.js';
import { bannerLine, writeBanner } from './shell-banner.js';
import { openShellContext, type ShellContext } from './shell-context.js';
import { buildSessionEnv, envPlacements, type SessionProxyEnv } from './shell-env.js';
import { startSessionMount } from './shell-mount.js';
import { startSessionProxy } from './shell-proxy.js';
import { execGuardLibrary, loadPty, realShell } from './shell-paths.js';
import { killSession } from './shell-proctree.js';

export { ExecGuardUnavailableError, execGuardLibrary, realShell } from './shell-paths.js';

export type ShellMode =
  /** `-c CMD`; shellFlags (e.g. `-l` from `-lc`) and positional ($0, $1…) go to bash as given. */
  | { kind: 'command'; command: string; shellFlags?: string[]; positional?: string[] }
  | { kind: 'interactive' }
  | { kind: 'program'; file: string; args: string[] };

export interface ShellSessionOptions {
  home: string;
  mode: ShellMode;
  /** Start the proxy and route the session through it (default true). */
  proxy?: boolean;
  mount?: SessionMountSpec;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Exit status when a terminate canary ended the session (as if SIGKILLed, which is what happened to it). */
export const TERMINATED_EXIT = 137;
/** Exit status when `-c CMD` itself carried a canary (bash's "cannot execute"). */
export const DENIED_EXIT = 126;

function signalExit(signal: NodeJS.Signals | number | null | undefined): number {
  if (signal === null || signal === undefined || signal === 0) return 1;
  const n = typeof signal === 'number' ? signal : (constants.signals[signal] ?? 1);
  return 128 + n;
}

/** A private folder for the session's socket; short enough for sun_path (108 bytes). */
function sessionDir(id: string): string {
  const base = tmpdir().length < 60 ? tmpdir() : '/tmp';
  return mkdtempSync(join(base, `grith-sh-${id}-`));
}

/** The session folder holds a few plain files (socket, CA bundle): unlink them directly, cheaper than rm -r. */
function removeSessionDir(dir: string): void {
  try {
    for (const name of readdirSync(dir)) unlinkSync(join(dir, name));
    rmdirSync(dir);
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Teardown {
  (): Promise<void>;
}

export class ShellSession {
  private child: ChildProcess | null = null;
  private ptyProc: import('node-pty').IPty | null = null;
  private terminated = false;
  /** Set the moment a terminate canary is denied; settles once the session's processes are gone. */
  private terminating: Promise<void> | null = null;
  private endTerminating: () => void = () => undefined;
  private sockMarker: string | null = null;
  private readonly teardowns: Teardown[] = [];
  private readonly warmups: Array<() => void> = [];
  private readonly crlf: boolean;

  private constructor(
    private readonly opts: ShellSessionOptions,
    readonly id: string,
  ) {
    this.crlf = opts.mode.kind !== 'command' && process.stdin.isTTY === true;
  }

  /** Run a whole session; resolves with the exit status grith should exit with. */
  static async run(opts: ShellSessionOptions): Promise<number> {
    const s = new ShellSession(opts, randomBytes(4).toString('hex'));
    return s.main();
  }

  private banner(e: GrithEvent): void {
    const line = bannerLine(e);
    if (line !== null) writeBanner(line, this.crlf);
  }

  private say(text: string): void {
    process.stderr.write(`grith: ${text}${this.crlf ? '\r\n' : '\n'}`);
  }

  private async main(): Promise<number> {
    const opts = this.opts;
    const base = opts.env ?? process.env;
    const lib = execGuardLibrary();
    const dir = sessionDir(this.id);
    this.teardowns.push(async () => removeSessionDir(dir));
    // A crash of grith itself must not leave the socket folder behind (the children then fail closed).
    const onExit = () => {
      rmSync(dir, { recursive: true, force: true });
      this.child?.kill('SIGKILL');
      try {
        this.ptyProc?.kill('SIGKILL');
      } catch {
        /* gone */
      }
    };
    process.once('exit', onExit);

    try {
      const ctx = await openShellContext(opts.home, {
        session: this.id,
        live: opts.mode.kind !== 'command',
        onRecorded: (e) => this.banner(e),
        onRecordError: (err) => this.say(`could not record an event: ${oneLine((err as Error).message ?? String(err), 200)}`),
      });
      this.teardowns.push(() => ctx.close());

      let terminateInfo: ExecFireInfo | null = null;
      const server = await ExecGuardServer.listen({
        ctx,
        socketPath: join(dir, 'exec.sock'),
        onDeny: (info) => {
          // Synchronously, before the event is written: the child may exit meanwhile, the session must still wait.
          if (info.decision.terminate && !this.terminating) {
            this.terminating = new Promise((r) => (this.endTerminating = r));
          }
        },
        onTerminate: (info) => {
          terminateInfo = info;
          void this.terminate(info).finally(() => this.endTerminating());
        },
      });
      this.sockMarker = `GRITH_EXEC_SOCK=${server.socketPath}`;
      this.teardowns.push(() => server.close());

      const snap = ctx.snapshot();
      if (!snap.matcher && snap.error) {
        // Fail closed: without a store there is nothing to check commands against.
        throw snap.error;
      }

      const proxy = opts.proxy === false ? undefined : await this.startProxy(ctx, dir);
      const cwd = opts.mount ? await this.startMount(opts.mount) : (opts.cwd ?? process.cwd());

      const forCommand = opts.mode.kind === 'command';
      const shell = realShell(base, forCommand);
      const env = buildSessionEnv({
        base,
        execLib: lib,
        execSock: server.socketPath,
        session: this.id,
        placed: envPlacements(snap.canaries),
        shell: realShell(base, false),
        proxy,
      });

      let code: number;
      if (opts.mode.kind === 'command') {
        const d = await server.check({
          kind: 'shell -c',
          pid: process.pid,
          ppid: process.ppid,
          path: shell,
          argv: [basename(shell), ...(opts.mode.shellFlags ?? []), '-c', opts.mode.command, ...(opts.mode.positional ?? [])],
        });
        if (!d.allow) {
          this.say(d.reason.replace(/^blocked exec of [^:]*:/, 'blocked command:'));
          if (this.terminating) await this.terminating;
          return terminateInfo ? TERMINATED_EXIT : DENIED_EXIT;
        }
        const m = opts.mode;
        code = await this.runCommand(shell, [...(m.shellFlags ?? []), '-c', m.command, ...(m.positional ?? [])], env, cwd);
      } else {
        const [file, args] = opts.mode.kind === 'program' ? [opts.mode.file, opts.mode.args] : [shell, []];
        setImmediate(() => this.warmups.forEach((w) => w()));
        code = await this.runPty(file, args, env, cwd);
      }
      if (this.terminating) await this.terminating;
      return this.terminated ? TERMINATED_EXIT : code;
    } finally {
      await this.teardown();
      process.off('exit', onExit);
    }
  }

  private async teardown(): Promise<void> {
    while (this.teardowns.length > 0) {
      const t = this.teardowns.pop()!;
      try {
        await t();
      } catch (e) {
        this.say(`teardown: ${oneLine((e as Error).message ?? String(e), 200)}`);
      }
    }
  }

  private async terminate(info: ExecFireInfo): Promise<void> {
    if (this.terminated) return;
    this.terminated = true;
    const label = info.decision.fires.find((f) => f.canary?.terminate)?.hit.label ?? '?';
    this.say(`session terminated: canary "${oneLine(label, 60)}" fired and is marked terminate`);
    await killSession(this.child?.pid ?? this.ptyProc?.pid, this.sockMarker);
  }

  /** Forward termination signals to the session; a second one, or 3 s of waiting, ends it hard. */
  private forwardSignals(deliver: (sig: NodeJS.Signals) => void, root: () => number | undefined): () => void {
    const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
    let hard: NodeJS.Timeout | null = null;
    const handler = (sig: NodeJS.Signals) => {
      deliver(sig);
      if (sig !== 'SIGINT' && !hard) {
        hard = setTimeout(() => {
          void killSession(root(), this.sockMarker);
        }, 3000);
        hard.unref();
      }
    };
    for (const s of sigs) process.on(s, handler);
    return () => {
      for (const s of sigs) process.off(s, handler);
      if (hard) clearTimeout(hard);
    };
  }

  /** `-c CMD`: bash -c with the caller's stdin/stdout/stderr, so output and exit status are bash's own. */
  private runCommand(shell: string, args: string[], env: Record<string, string>, cwd: string): Promise<number> {
    return new Promise((resolveCode, reject) => {
      const child = spawn(shell, args, { stdio: 'inherit', env, cwd });
      this.child = child;
      const stop = this.forwardSignals(
        (sig) => child.kill(sig),
        () => child.pid,
      );
      child.once('error', (e) => {
        stop();
        reject(e);
      });
      child.once('exit', (code, signal) => {
        stop();
        resolveCode(code ?? signalExit(signal));
      });
    });
  }

  /** Interactive shell or `-- PROGRAM`: a PTY, raw mode, resize and exit status passed through. */
  private async runPty(file: string, args: string[], env: Record<string, string>, cwd: string): Promise<number> {
    const pty = await loadPty();
    const stdin = process.stdin;
    const stdout = process.stdout;
    const p = pty.spawn(file, args, {
      name: env.TERM ?? 'xterm-256color',
      cols: stdout.columns ?? 80,
      rows: stdout.rows ?? 24,
      cwd,
      env,
    });
    this.ptyProc = p;
    const wasRaw = stdin.isTTY === true ? stdin.isRaw : false;
    if (stdin.isTTY === true) stdin.setRawMode(true);
    const onInput = (d: Buffer) => p.write(d);
    // Input from a pipe that ends: the PTY gets an end-of-file (Ctrl-D), as if typed.
    const onEnd = () => {
      try {
        p.write('\x04');
      } catch {
        /* closed */
      }
    };
    stdin.on('data', onInput);
    stdin.once('end', onEnd);
    stdin.resume();
    const dataSub = p.onData((d) => stdout.write(d));
    const onResize = () => {
      try {
        p.resize(stdout.columns ?? 80, stdout.rows ?? 24);
      } catch {
        /* the PTY closed meanwhile */
      }
    };
    stdout.on('resize', onResize);
    process.on('SIGWINCH', onResize);
    const stop = this.forwardSignals(
      (sig) => {
        try {
          // The PTY's foreground job gets a hangup, as when a terminal closes.
          p.kill(sig === 'SIGINT' ? 'SIGINT' : 'SIGHUP');
        } catch {
          /* gone */
        }
      },
      () => p.pid,
    );
    try {
      return await new Promise<number>((resolveCode) => {
        p.onExit(({ exitCode, signal }) => resolveCode(signal ? signalExit(signal) : exitCode));
      });
    } finally {
      stop();
      dataSub.dispose();
      stdin.off('data', onInput);
      stdin.off('end', onEnd);
      stdout.off('resize', onResize);
      process.off('SIGWINCH', onResize);
      if (stdin.isTTY === true) stdin.setRawMode(wasRaw);
      stdin.pause();
    }
  }

  private async startProxy(ctx: ShellContext, dir: string): Promise<SessionProxyEnv> {
    const proxy = await startSessionProxy({
      home: this.opts.home,
      ctx,
      dir,
      onError: (e) => {
        const msg = oneLine((e as Error).message ?? String(e), 200);
        this.say(`proxy unavailable, network connections through it are refused: ${msg}`);
        void ctx.record({ kind: 'guard.error', guard: 'proxy', action: 'deny', session: this.id, message: `session proxy failed: ${msg}` });
      },
    });
    this.teardowns.push(() => proxy.close());
    // Long sessions load the proxy now, in the background; `-c` only when something connects.
    if (this.opts.mode.kind !== 'command') this.warmups.push(() => proxy.warm());
    return proxy.env;
  }

  private async startMount(m: SessionMountSpec): Promise<string> {
    const mount = await startSessionMount({
      home: this.opts.home,
      source: m.source,
      target: m.target,
      zones: m.zones,
      zonePolicy: m.zonePolicy,
      onEvent: (e) => this.banner(e),
    });
    this.teardowns.push(() => mount.stop());
    return mount.mountpoint;
  }
}

/** `--mount SRC:DST [--zone REL]... [--zone-policy alert|deny]`. */
export interface SessionMountSpec {
  source: string;
  target: string;
  zones?: string[];
  zonePolicy?: 'alert' | 'deny';
}

export function runShellSession(opts: ShellSessionOptions): Promise<number> {
  return ShellSession.run(opts);
}
