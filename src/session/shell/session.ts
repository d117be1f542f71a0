// `grith shell`: one guarded session — guard context, exec guard, canary env, proxy, optional mount — around a
// shell, a program in a PTY, or a `-c` command with plain inherited stdio. Everything is torn down when it ends.
// The order things start and stop in is written down in ../DESIGN.md.
import { randomBytes } from 'node:crypto';
import { realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { oneLine } from '../../core/display.js';
import type { GrithEvent } from '../../events/types.js';
import type { GuardContext } from '../../guards/guard-context.js';
import { openGuardContext } from '../guard-context.js';
import { bannerLine, writeBanner } from '../banner.js';
import { runShellCommand, terminatedLine, type CommandGrant } from './command.js';
import { buildSessionEnv, envPlacements, type SessionProxyEnv } from './env.js';
import { commandGuard, ExecSession } from './exec-session.js';
import { TERMINATED_EXIT } from './exit-status.js';
import { EventLog } from '../../events/event-log.js';
import { insideExecSock, sandboxPreflight } from './sandbox.js';
import { sandboxLayout } from './sandbox-layout.js';
import { startViews, type Views } from './views.js';
import { execGuardLibrary, grithLaunch, realShell } from './paths.js';
import { killSession } from './proctree.js';
import { startSessionProxy } from './proxy.js';
import { markedPrompt } from './prompt.js';
import { runInPty } from './pty.js';
import { makeSessionDir, removeSessionDir, sweepStaleSessionDirs } from './session-dir.js';
import { AgentIdentity } from './agent.js';
import { agentStatePaths, scanAgentState } from './agent-state.js';
import { runForwarding } from './signals.js';
import { startLine } from './start-line.js';
import { ModelEndpoints } from '../../core/model-endpoints.js';
import { ModelChannel } from '../../guards/proxy/model-channel.js';

export { ExecGuardUnavailableError, execGuardLibrary, realShell } from './paths.js';

export type ShellMode =
  /** `-c CMD`; shellFlags (e.g. `-l` from `-lc`) and positional ($0, $1…) go to bash as given. */
  | { kind: 'command'; command: string; shellFlags?: string[]; positional?: string[] }
  | { kind: 'interactive' }
  | { kind: 'program'; file: string; args: string[] };

import type { SessionMountSpec } from './views.js';
export type { SessionMountSpec } from './views.js';

export interface ShellSessionOptions {
  home: string;
  mode: ShellMode;
  /** Start the proxy and route the session through it (default true). */
  proxy?: boolean;
  mount?: SessionMountSpec;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** --model-host HOST[:PORT]: more model endpoints of the agent. */
  modelHosts?: string[];
  /** --model-channel: what a canary the agent sends to its model gets (default alert: context, recorded). */
  modelChannel?: 'alert' | 'deny';
  /** --upstream-ca FILE: private CAs of upstream servers (GRITH_UPSTREAM_CA adds more, ':'-separated). */
  upstreamCa?: string[];
  /** --watch-path DIR: more folders where the agent keeps its state, scanned at the end. */
  watchPaths?: string[];
  /** Run in the sandbox (default true; --no-sandbox: today's weaker mode, with a warning and guard.degraded). */
  sandbox?: boolean;
  /** --writable PATH: more paths the sandboxed program may change (scanned; a canary written there is denied). */
  writable?: string[];
  /** Mark an interactive shell's prompt with "(grith) " (default true; --no-prompt). */
  prompt?: boolean;
}

type Teardown = () => Promise<void> | void;

/** Upstream CAs of a session: --upstream-ca, then GRITH_UPSTREAM_CA (':'-separated; agents with SHELL=grith-shell pass no flags). */
export function upstreamCaFiles(flags: readonly string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  return [...(flags ?? []), ...(env.GRITH_UPSTREAM_CA ?? '').split(':').filter((f) => f !== '')];
}

class ShellSession {
  private root: number | undefined;
  /** While the program shows the terminal's alternate screen, banners wait (they would corrupt a full-screen UI). */
  private alternateScreen = false;
  private readonly heldBanners: string[] = [];
  /** canary.persisted events the session's views recorded. */
  private persistedSeen = 0;
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
    if (line === null) return;
    if (this.alternateScreen) this.heldBanners.push(line);
    else writeBanner(line, this.crlf);
  }

  private screen(alternate: boolean): void {
    this.alternateScreen = alternate;
    if (!alternate) for (const line of this.heldBanners.splice(0)) writeBanner(line, this.crlf);
  }

  private say(text: string): void {
    process.stderr.write(`grith: ${text}${this.crlf ? '\r\n' : '\n'}`);
  }

  async main(): Promise<number> {
    const opts = this.opts;
    const base = opts.env ?? process.env;
    const lib = execGuardLibrary();
    // Fail closed before anything starts: no namespaces, no session (unless --no-sandbox).
    const bwrap = opts.sandbox === false ? null : sandboxPreflight(opts.home);
    if (opts.mode.kind !== 'command') sweepStaleSessionDirs();
    const dir = makeSessionDir(this.id);
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
        ...(bwrap ? { insidePath: insideExecSock(this.id), approvalsPath: join(dir, 'approvals.sock') } : {}),
        root: () => this.root,
        // A command reports the end itself, once bash is gone; a PTY session says it at once.
        onTerminate: command ? undefined : (label) => this.say(terminatedLine(label)),
      });
      this.teardowns.push(() => exec.close());
      const snap = ctx.snapshot();
      // Fail closed: without a store there is nothing to check commands against.
      if (!snap.matcher && snap.error) throw snap.error;

      const program = opts.mode.kind === 'program' ? opts.mode : null;
      const agent = program ? await AgentIdentity.of(program.file, base.PATH) : null;
      const endpoints = ModelEndpoints.from(base, opts.modelHosts);
      const policy = opts.modelChannel ?? 'alert';
      const model = agent ? new ModelChannel({ endpoints, policy, ownedByAgent: (s) => agent.ownsConnection(s) }) : undefined;
      const proxy = opts.proxy === false ? undefined : await this.startProxy(ctx, dir, model, base);
      if (!bwrap) this.degraded(ctx);
      const views = await this.startViews(dir, base, bwrap !== null);
      const cwd = bwrap || opts.mount ? views.cwd : (opts.cwd ?? process.cwd());
      const grant: CommandGrant = {
        session: this.id,
        execLib: lib,
        execSock: exec.socketPath,
        ...(bwrap ? { launch: grithLaunch(), approvalsSock: join(dir, 'approvals.sock') } : {}),
        placed: envPlacements(snap.canaries),
        proxy,
      };

      if (opts.mode.kind === 'command') {
        const m = opts.mode;
        const sandbox = bwrap ? { bwrap, grithHome: opts.home, views: views.binds } : undefined;
        const spec = { command: m.command, shellFlags: m.shellFlags ?? [], positional: m.positional ?? [], env: base, cwd, sandbox };
        return (await runShellCommand(spec, commandGuard(ctx, exec, async () => grant))) ?? 1;
      }
      this.say(
        startLine({
          id: this.id,
          canaries: snap.canaries,
          proxy: proxy !== undefined,
          sandbox: bwrap !== null,
          ...(agent ? { model: { policy, endpoints } } : {}),
          ...(views.workspace ? { mount: { source: views.workspace.source, mountpoint: views.workspace.shownAt } } : {}),
        }),
      );
      const startedAt = Date.now();
      let [file, args]: [string, readonly string[]] = program ? [program.file, program.args] : [realShell(base, false), []];
      // An interactive shell on a terminal says it is guarded in its prompt (GRITH_SESSION is set either way).
      const marked = !program && opts.prompt !== false && process.stdin.isTTY === true ? markedPrompt(file, dir) : null;
      if (marked) args = [...marked.args, ...args];
      let env = { ...buildSessionEnv({ base, ...grant, shell: realShell(base, false) }), ...marked?.env };
      if (bwrap) {
        const keep = [...(program ? [agent?.ownFolder ?? program.file] : []), ...(marked?.files ?? [])];
        const layout = sandboxLayout({ bwrap, grant, grithHome: opts.home, env: base, cwd, views: views.binds, keep });
        const started = layout.start(file, args, { ...buildSessionEnv({ base, ...layout.grant, shell: realShell(base, false) }), ...marked?.env });
        [file, args, env] = [started.file, started.args, started.env];
      }
      setImmediate(() => this.warmups.forEach((w) => w()));
      const started = (pid: number | undefined) => {
        this.root = pid;
        if (pid !== undefined) agent?.started(pid, bwrap ? [bwrap, ...(grant.launch ? [grant.launch] : [])] : []);
      };
      const hardStop = (pid: number | undefined) => void killSession(pid, exec.marker);
      // A terminal on both sides: a PTY. Otherwise pipes, byte for byte (an agent's JSON output, a script on stdin).
      // The sandbox starts the program in its own folder; outside, so does the spawn.
      const spawnCwd = bwrap ? '/' : cwd;
      const code =
        process.stdin.isTTY === true && process.stdout.isTTY === true
          ? await runInPty(file, [...args], { env, cwd: spawnCwd, onSpawn: started, hardStop, onScreen: (alt) => this.screen(alt) })
          : await runForwarding(file, args, { env, cwd: spawnCwd, onSpawn: started, hardStop });
      this.screen(false);
      await this.afterProgram(ctx, base, startedAt, model, views.binds.some((b) => b.dst === base.HOME || b.dst === realHome(base)));
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

  /** What the agent kept of its context: canaries in its own state, and how often it sent each to its model. */
  private async afterProgram(ctx: GuardContext, base: NodeJS.ProcessEnv, startedAt: number, model: ModelChannel | undefined, homeViewed: boolean): Promise<void> {
    // Through the home view every write to the agent's state was judged as it happened (canary.persisted then);
    // without it, the state is scanned now. --watch-path folders are scanned now either way.
    const paths = homeViewed ? [...(this.opts.watchPaths ?? [])] : await agentStatePaths(base.HOME, this.opts.watchPaths ?? []);
    const scanned = await scanAgentState(ctx, paths, startedAt).catch(() => 0);
    if (homeViewed) await new Promise((r) => setTimeout(r, 400)); // the log follower's last look
    const persisted = scanned + this.persistedSeen;
    if (persisted > 0) this.say(`${persisted} canary cop${persisted === 1 ? 'y' : 'ies'} found in the agent's own state (see grith events)`);
    const labels = new Map(ctx.snapshot().canaries.map((c) => [c.id, c.label]));
    for (const [id, n] of model?.tally() ?? []) this.say(`the agent sent canary "${oneLine(labels.get(id) ?? id, 60)}" to its model in ${n} request${n === 1 ? '' : 's'} (context)`);
  }

  private async startProxy(ctx: GuardContext, dir: string, model: ModelChannel | undefined, base: NodeJS.ProcessEnv): Promise<SessionProxyEnv> {
    const caDirPrefix = join(this.opts.home, 'ca');
    const proxy = await startSessionProxy({
      home: this.opts.home,
      ctx,
      dir,
      model,
      upstreamCaFiles: upstreamCaFiles(this.opts.upstreamCa, base),
      // The user's own extra CAs stay trusted for upstreams (the session points these variables at grith's CA).
      extraCaFiles: [base.NODE_EXTRA_CA_CERTS, base.SSL_CERT_FILE].filter((f): f is string => !!f && !f.startsWith(caDirPrefix)),
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

  /** The workspace and, in a sandbox, the home view; their events reach the banner through the log. */
  private async startViews(dir: string, base: NodeJS.ProcessEnv, sandboxed: boolean): Promise<Views> {
    const o = this.opts;
    const views = await startViews({
      grithHome: o.home,
      session: this.id,
      dir,
      env: base,
      cwd: o.cwd ?? process.cwd(),
      mount: o.mount,
      programInSandbox: sandboxed && o.mode.kind !== 'command',
      sandboxed,
      writable: o.writable,
    });
    for (const m of views.mounts) this.teardowns.push(() => m.stop());
    if (views.mounts.length > 0) {
      const follower = new EventLog(o.home).follow((e) => {
        if (e.guard !== 'fs' || e.session !== this.id) return;
        if (e.kind === 'canary.persisted') this.persistedSeen++;
        this.banner(e);
      }, { intervalMs: 150 });
      // Let the follower see what the mounts recorded in the session's last moments (it polls every 150 ms).
      this.teardowns.push(async () => {
        await new Promise((r) => setTimeout(r, 350));
        await follower.close();
      });
    }
    return views;
  }

  /** --no-sandbox: the session runs as before the sandbox existed; the user and the log are told. */
  private degraded(ctx: GuardContext): void {
    this.say('warning: no sandbox (--no-sandbox): grith\'s store, guards and the rest of the disk are within the session\'s reach');
    void ctx.record({ kind: 'guard.degraded', guard: 'shell', action: 'alert', message: 'session running without its sandbox (--no-sandbox)' });
  }
}

function realHome(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return env.HOME ? realpathSync(env.HOME) : undefined;
  } catch {
    return undefined;
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
