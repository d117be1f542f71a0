// One `grith shell -c CMD`: check the whole command, build the session's environment, run bash with the caller's
// stdio, wait, and report a terminate. The same core runs in-process and through the shell host; they differ only
// in the CommandSession that guards it (a local exec session, or the host's over its socket).
import { DENIED_EXIT, TERMINATED_EXIT } from './exit-status.js';
import { buildSessionEnv, type SessionProxyEnv } from './env.js';
import { realShell } from './paths.js';
import { killSession } from './proctree.js';
import { existsSync } from 'node:fs';
import { enclosingGrithMount, type SandboxBind } from './sandbox.js';
import { sandboxLayout } from './sandbox-layout.js';
import { runForwarding } from './signals.js';

/** What the guarding session hands the command: where its exec guard listens, its canary variables, its proxy. */
export interface CommandGrant {
  session: string;
  execLib: string;
  execSock: string;
  /** Sandboxed: grith-launch, and the socket its supervisor takes approvals from (native/seccomp/README.md). */
  launch?: string;
  approvalsSock?: string;
  placed: ReadonlyMap<string, string>;
  proxy?: SessionProxyEnv;
}

export type OpenResult =
  | { kind: 'opened'; grant: CommandGrant }
  /** CMD itself carried a canary (reason is one line); terminate when that canary ended the session. */
  | { kind: 'denied'; reason: string; terminate: boolean }
  /** The session cannot guard anything (no usable store): nothing runs. */
  | { kind: 'error'; message: string; hint?: string; exitCode: number };

export interface SessionEnd {
  /** A terminate canary ended the session; its processes are gone by now. */
  terminated: boolean;
  /** The label of the canary that ended it. */
  label?: string;
}

export interface CommandSession {
  /** Check argv (e.g. ["bash", "-lc", CMD, "$0"…]) as a whole; null when the session is not there (nothing ran). */
  open(argv: string[]): Promise<OpenResult | null>;
  /** The command has exited: did a terminate canary end the session? */
  close(): Promise<SessionEnd>;
}

export interface CommandSpec {
  command: string;
  /** bash options given before -c (-l, -e, …), as agents pass them. */
  shellFlags: readonly string[];
  /** $0, $1… */
  positional: readonly string[];
  /** The caller's environment, which the session's is built on. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run inside the session's sandbox (see sandbox-layout.ts); absent: --no-sandbox. */
  sandbox?: CommandSandbox;
}

export interface CommandSandbox {
  bwrap: string;
  grithHome: string;
  /** Scanning views (a workspace mount) bound over their paths. */
  views?: SandboxBind[];
}

const say = (text: string) => process.stderr.write(`grith: ${text}\n`);

export function terminatedLine(label: string | undefined): string {
  return `session terminated: canary "${label ?? '?'}" fired and is marked terminate`;
}

/** The exit status of the command, or null when the session was not there and nothing ran. */
export async function runShellCommand(spec: CommandSpec, session: CommandSession): Promise<number | null> {
  const shell = realShell(spec.env, true);
  const args = [...spec.shellFlags, '-c', spec.command, ...spec.positional];
  const opened = await session.open([shell, ...args]);
  if (opened === null) return null;
  if (opened.kind === 'error') {
    say(`${opened.message}${opened.hint ? ` (${opened.hint})` : ''}`);
    return opened.exitCode;
  }
  if (opened.kind === 'denied') {
    say(opened.reason.replace(/^blocked exec of [^:]*:/, 'blocked command:'));
    return opened.terminate ? TERMINATED_EXIT : DENIED_EXIT;
  }
  const g = opened.grant;
  let [file, argv]: [string, readonly string[]] = [shell, args];
  let env = buildSessionEnv({ base: spec.env, ...g, shell: realShell(spec.env, false) });
  /** The socket as the command's processes know it: the mark a hard stop looks for. */
  let known = g.execSock;
  if (spec.sandbox) {
    const cwd = spec.cwd ?? process.cwd();
    // A command changes its folder and home in place (no view: they are scanned only in a PROGRAM session); a folder
    // inside a grith mount brings the whole mount (the workspace a user mounted and works in).
    const folder = (await enclosingGrithMount(cwd)) ?? cwd;
    const direct = [...new Set([spec.env.HOME, folder].filter((p): p is string => !!p && p !== '/' && existsSync(p)))];
    const layout = sandboxLayout({ ...spec.sandbox, grant: g, env: spec.env, cwd, views: spec.sandbox.views ?? [], direct });
    const started = layout.start(shell, args, buildSessionEnv({ base: spec.env, ...layout.grant, shell: realShell(spec.env, false) }));
    [file, argv, env] = [started.file, started.args, started.env];
    known = layout.grant.execSock;
  }
  const code = await runForwarding(file, argv, {
    env,
    cwd: spec.cwd,
    hardStop: (pid) => void killSession(pid, `GRITH_EXEC_SOCK=${known}`),
  });
  const end = await session.close();
  if (!end.terminated) return code;
  say(terminatedLine(end.label));
  return TERMINATED_EXIT;
}
