// The guard side of one shell session: its exec socket, the check of a whole command, and what happens when a
// terminate canary fires (the session's processes are killed, then the session is told). Used in-process by
// `grith shell` and, one per client, by the shell host.
import { basename } from 'node:path';
import { terminates, type Decision } from '../../core/decision.js';
import type { GuardContext } from '../../guards/guard-context.js';
import { ExecApprovals } from '../../guards/shell/exec-approvals.js';
import { ExecGuardServer, type ExecFireInfo } from '../../guards/shell/exec-guard-server.js';
import type { CommandGrant, CommandSession, SessionEnd } from './command.js';
import { killSession } from './proctree.js';

export interface ExecSessionOptions {
  /** Stamps this session's id on its events. */
  ctx: GuardContext;
  socketPath: string;
  /** The root process of the session, when this process started it: killed with its whole tree on terminate. */
  root?: () => number | undefined;
  /** A terminate canary fired: called before the session's processes are killed. */
  onTerminate?: (label: string) => void;
  /** Every denied exec (the session's banner comes from its recorded events, this is for anything else). */
  onDeny?: (info: ExecFireInfo) => void;
  /** The socket's path as sandboxed programs know it (their GRITH_EXEC_SOCK, the mark a terminate looks for). */
  insidePath?: string;
  /** Where grith-launch's supervisor connects for approvals (sandboxed sessions; native/seccomp/README.md). */
  approvalsPath?: string;
}

export class ExecSession {
  private terminating: Promise<void> | null = null;
  private endTerminating: () => void = () => undefined;
  private label: string | undefined;

  private constructor(
    private readonly server: ExecGuardServer,
    private readonly opts: ExecSessionOptions,
    private readonly approvals: ExecApprovals | null,
  ) {}

  static async start(opts: ExecSessionOptions): Promise<ExecSession> {
    let self: ExecSession | null = null;
    const approvals = opts.approvalsPath ? await ExecApprovals.listen(opts.approvalsPath) : null;
    const server = await ExecGuardServer.listen({
      ctx: opts.ctx,
      socketPath: opts.socketPath,
      ...(approvals ? { approvals } : {}),
      // Synchronously, before the event is written: the child may exit meanwhile, the session must still wait.
      onDeny: (info) => {
        self?.denied(info);
        opts.onDeny?.(info);
      },
      onTerminate: (info) => void self?.terminate(info),
    });
    self = new ExecSession(server, opts, approvals);
    return self;
  }

  get socketPath(): string {
    return this.server.socketPath;
  }

  /** The environment entry every process of the session carries (the exec guard puts it into every exec). */
  get marker(): string {
    return `GRITH_EXEC_SOCK=${this.opts.insidePath ?? this.server.socketPath}`;
  }

  /** Check a whole command before it runs: argv[0] is the shell's path, CMD is checked as one string. */
  check(argv: readonly string[], pid = process.pid, ppid = process.ppid): Promise<Decision> {
    const path = argv[0] ?? '';
    return this.server.check({ kind: 'shell -c', pid, ppid, path, argv: [basename(path), ...argv.slice(1)] });
  }

  /** Once the session's programs are done: waits for a terminate in progress, says whether one ended it. */
  async end(): Promise<SessionEnd> {
    if (this.terminating) await this.terminating;
    return this.terminating ? { terminated: true, ...(this.label !== undefined ? { label: this.label } : {}) } : { terminated: false };
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.approvals?.close();
  }

  private denied(info: ExecFireInfo): void {
    if (terminates(info.decision) && !this.terminating) this.terminating = new Promise((r) => (this.endTerminating = r));
  }

  private async terminate(info: ExecFireInfo): Promise<void> {
    this.label = info.decision.fires.find((f) => f.terminate)?.label ?? '?';
    try {
      this.opts.onTerminate?.(this.label);
    } catch {
      /* telling someone must not stop the kill */
    }
    // Sandboxed or not, the session's processes carry one of the two names of its socket.
    const outside = `GRITH_EXEC_SOCK=${this.server.socketPath}`;
    await killSession(this.opts.root?.(), this.marker)
      .then(() => (outside !== this.marker ? killSession(undefined, outside) : undefined))
      .finally(() => this.endTerminating());
  }
}

/**
 * The guarding half of `grith shell -c`: fail closed without a store, check the command, hand out the session's
 * environment. The refusal's events are on disk before anyone hears of it (a script may read the log next).
 */
export function commandGuard(
  ctx: GuardContext,
  exec: ExecSession,
  grant: () => Promise<CommandGrant>,
  /** The process asking (its pid goes into the events). */
  who = { pid: process.pid, ppid: process.ppid },
): CommandSession {
  return {
    async open(argv) {
      const snap = ctx.snapshot();
      if (!snap.matcher && snap.error) {
        const e = snap.error;
        return { kind: 'error', message: e.message, ...(e.hint ? { hint: e.hint } : {}), exitCode: e.exitCode };
      }
      const d = await exec.check(argv, who.pid, who.ppid);
      if (d.verdict !== 'deny') return { kind: 'opened', grant: await grant() };
      await ctx.flush().catch(() => undefined);
      const end = await exec.end();
      return { kind: 'denied', reason: d.reason, terminate: end.terminated };
    },
    async close() {
      const end = await exec.end();
      // Events still being written land before the session is declared over.
      await ctx.flush().catch(() => undefined);
      return end;
    },
  };
}
