// `grith shell`: one guarded session — guard context, exec guard, canary env, proxy, optional mount — around a
// shell, a program in a PTY, or a `-c` command with plain inherited stdio. Everything is torn down when it ends.
// The order things start and stop in is written down in ../DESIGN.md.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oneLine } from '../../core/display.js';
import type { GrithEvent } from '../../events/types.js';
import type { GuardContext } from '../../guards/guard-context.js';
import { openGuardContext } from '../guard-context.js';
import { bannerLine, writeBanner } from './banner.js';
import { runShellCommand, terminatedLine, type CommandGrant } from './command.js';
import { buildSessionEnv, envPlacements, type SessionProxyEnv } from './env.js';
import { commandGuard, ExecSession } from './exec-session.js';
import { TERMINATED_EXIT } from './exit-status.js';
import { startSessionMount } from './mount.js';
import { execGuardLibrary, realShell } from './paths.js';
import { killSession } from './proctree.js';
import { startSessionProxy } from './proxy.js';
import { runInPty } from './pty.js';

export { ExecGuardUnavailableError, execGuardLibrary, realShell } from './paths.js';

export type ShellMode =
  /** `-c CMD`; shellFlags (e.g. `-l` from `-lc`) and positional ($0, $1…) go to bash as given. */
  | { kind: 'command'; command: string; shellFlags?: string[]; positional?: string[] }
  | { kind: 'interactive' }
  | { kind: 'program'; file: string; args: string[] };

/** `--mount SRC:DST [--zone REL]... [--zone-policy alert|deny]`. */
export interface SessionMountSpec {
  source: string;
  target: string;
  zones?: string[];
  zonePolicy?: 'alert' | 'deny';
}

export interface ShellSessionOptions {
  home: string;
  mode: ShellMode;
  /** Start the proxy and route the session through it (default true). */
  proxy?: boolean;
  mount?: SessionMountSpec;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
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

type Teardown = () => Promise<void> | void;

class ShellSession {
  private root: number | undefined;
  private readonly teardowns: Teardown[] = [];
  private readonly warmups: Array<() => void> = [];
  private readonly crlf: boolean;

  constructor(
    private readonly opts: ShellSessionOptions,
    readonly id: string,
  ) {
    this.crlf = opts.mode.kind !== 'command' && process.stdin.isTTY === true;
  }

  private banner(e: GrithEvent): void {
    const line = bannerLine(e);
    if (line !== null) writeBanner(line, this.crlf);
  }

  private say(text: string): void {
    process.stderr.write(`grith: ${text}${this.crlf ? '\r\n' : '\n'}`);
  }

  async main(): Promise<number> {
    const opts = this.opts;
    const base = opts.env ?? process.env;
    const lib = execGuardLibrary();
    const dir = sessionDir(this.id);
    this.teardowns.push(() => removeSessionDir(dir));
    // A crash of grith itself must not leave the socket folder behind (the children then fail closed).
    const onExit = () => {
      rmSync(dir, { recursive: true, force: true });
      if (this.root !== undefined) killSilently(this.root);
    };
    process.once('exit', onExit);
    const command = opts.mode.kind === 'command';

    try {
      const ctx = await openGuardContext(opts.home, {
        mode: command ? 'once' : 'live',
        session: this.id,
        onRecorded: (e) => this.banner(e),
        onRecordError: (err) => this.say(`could not record an event: ${oneLine((err as Error).message ?? String(err), 200)}`),
      });
      this.teardowns.push(() => ctx.close());
      const exec = await ExecSession.start({
        ctx,
        socketPath: join(dir, 'exec.sock'),
        root: () => this.root,
        // A command reports the end itself, once bash is gone; a PTY session says it at once.
        onTerminate: command ? undefined : (label) => this.say(terminatedLine(label)),
      });
      this.teardowns.push(() => exec.close());
      const snap = ctx.snapshot();
      // Fail closed: without a store there is nothing to check commands against.
      if (!snap.matcher && snap.error) throw snap.error;

      const proxy = opts.proxy === false ? undefined : await this.startProxy(ctx, dir);
      const cwd = opts.mount ? await this.startMount(opts.mount) : (opts.cwd ?? process.cwd());
      const grant: CommandGrant = { session: this.id, execLib: lib, execSock: exec.socketPath, placed: envPlacements(snap.canaries), proxy };

      if (opts.mode.kind === 'command') {
        const m = opts.mode;
        const spec = { command: m.command, shellFlags: m.shellFlags ?? [], positional: m.positional ?? [], env: base, cwd };
        return (await runShellCommand(spec, commandGuard(ctx, exec, async () => grant))) ?? 1;
      }
      const env = buildSessionEnv({ base, ...grant, shell: realShell(base, false) });
      const [file, args] = opts.mode.kind === 'program' ? [opts.mode.file, opts.mode.args] : [realShell(base, false), []];
      setImmediate(() => this.warmups.forEach((w) => w()));
      const code = await runInPty(file, args, {
        env,
        cwd,
        onSpawn: (pid) => (this.root = pid),
        hardStop: (pid) => void killSession(pid, exec.marker),
      });
      return (await exec.end()).terminated ? TERMINATED_EXIT : code;
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

  private async startProxy(ctx: GuardContext, dir: string): Promise<SessionProxyEnv> {
    const proxy = await startSessionProxy({
      home: this.opts.home,
      ctx,
      dir,
      onError: (e) => {
        const msg = oneLine((e as Error).message ?? String(e), 200);
        this.say(`proxy unavailable, network connections through it are refused: ${msg}`);
        ctx.record({ kind: 'guard.error', guard: 'proxy', action: 'deny', message: `session proxy failed: ${msg}` });
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

function killSilently(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** Run a whole session; resolves with the exit status grith should exit with. */
export function runShellSession(opts: ShellSessionOptions): Promise<number> {
  return new ShellSession(opts, randomBytes(4).toString('hex')).main();
}
