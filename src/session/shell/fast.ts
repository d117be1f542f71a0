// The lean entry of `grith shell -c CMD`: agents run every command through `$SHELL -c`, so this path must not load
// oclif (~270 ms). bin/run.js and bin/grith-shell.js call it; anything it does not recognise goes back to oclif.
import { existsSync } from 'node:fs';
import { assertHomeSafe, resolveHome } from '../../store/home.js';
import { runShellCommand } from './command.js';
import { hostSession, startHost } from './host/client.js';
import { execGuardLibrary, grithLaunch, realShell } from './paths.js';
import type { ShellSessionOptions } from './session.js';
import { sandboxPreflight } from './sandbox.js';
import { runForwarding } from './signals.js';

export interface FastArgs {
  command: string;
  shellFlags: string[];
  positional: string[];
  proxy: boolean;
  mount?: { source: string; target?: string };
  /** --no-sandbox (or GRITH_NO_SANDBOX=1 for agents that run grith-shell -c and pass no flags). */
  sandbox: boolean;
}

/**
 * `[--no-proxy] [--no-sandbox] [--mount SRC[:DST]] [-l|-e|-x…] -c CMD [ARG0 ARGS…]`, also bash's clusters like `-lc`.
 * Returns null for anything else (help, --json, `-- PROGRAM`, interactive), which the full command handles.
 */
export function parseFastArgs(args: readonly string[]): FastArgs | null {
  const shellFlags: string[] = [];
  let proxy = true;
  let sandbox = true;
  let mount: FastArgs['mount'];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--no-proxy') proxy = false;
    else if (a === '--no-sandbox') sandbox = false;
    else if (a === '--mount' || a.startsWith('--mount=')) {
      const v = a === '--mount' ? args[++i] : a.slice('--mount='.length);
      const m = v === undefined ? null : /^([^:]+)(?::(.+))?$/.exec(v);
      if (!m) return null;
      mount = { source: m[1]!, ...(m[2] !== undefined ? { target: m[2] } : {}) };
    } else if (/^-[a-zA-Z]+$/.test(a) && a.includes('c')) {
      const command = args[i + 1];
      if (command === undefined) return null;
      const rest = a.slice(1).replace('c', '');
      if (rest.length > 0) shellFlags.push(`-${rest}`);
      return { command, shellFlags, positional: args.slice(i + 2), proxy, mount, sandbox };
    } else if (/^-[elxuvo]$|^--login$|^--noprofile$|^--norc$/.test(a)) shellFlags.push(a);
    else return null;
  }
  return null;
}

/**
 * Already inside a grith session (this process carries the exec guard and its socket is live): no second session.
 * Spawning bash from here is itself an exec the enclosing session checks — argv `bash -c CMD`, so CMD is checked as a
 * whole string — and bash inherits the session's guard, canary variables and proxy. Saves the store load and the
 * matcher compile on every command an agent runs through `$SHELL -c`.
 */
export function insideSession(env: NodeJS.ProcessEnv): boolean {
  const lib = env.GRITH_EXEC_LIB;
  const sock = env.GRITH_EXEC_SOCK;
  if (!lib || !sock) return false;
  const preloaded = (env.LD_PRELOAD ?? '').split(/[: ]/).includes(lib);
  return preloaded && existsSync(sock);
}

/** Runs the session when the arguments fit the fast path; null means "not mine, hand over to oclif". */
export async function fastShell(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  const parsed = parseFastArgs(args);
  if (!parsed) return null;
  if (parsed.mount === undefined && insideSession(env)) {
    // The enclosing guard checks this exec (its argv holds CMD whole) and refuses it, saying why, if need be.
    return runForwarding(realShell(env, true), [...parsed.shellFlags, '-c', parsed.command, ...parsed.positional], { env });
  }
  // A home others can write is refused before any session starts (oclif commands do the same in GrithCommand.init).
  const unsafe = await assertHomeSafe(resolveHome(env)).then(() => null, (e: unknown) => e as Error & { hint?: string; exitCode?: number });
  if (unsafe) {
    process.stderr.write(`grith: ${unsafe.message}${unsafe.hint ? ` (${unsafe.hint})` : ''}\n`);
    return unsafe.exitCode ?? 2;
  }
  const sandboxed = parsed.sandbox && env.GRITH_NO_SANDBOX !== '1';
  let bwrap: string | null = null;
  if (sandboxed) {
    try {
      // The exec guard first (the part every session needs), then what a sandboxed one needs besides.
      execGuardLibrary();
      bwrap = sandboxPreflight(resolveHome(env));
      grithLaunch(); // a sandboxed command never runs without its exec supervisor

    } catch (e) {
      const err = e as Error & { hint?: string; exitCode?: number };
      process.stderr.write(`grith: ${err.message}${err.hint ? ` (${err.hint})` : ''}\n`);
      return err.exitCode ?? 2;
    }
  }
  if (parsed.mount === undefined) {
    // A running shell host has the matcher compiled and the proxy up: a session costs one round trip.
    const host = await hostSession(resolveHome(env), env, parsed.proxy);
    const sandbox = bwrap ? { bwrap, grithHome: resolveHome(env) } : undefined;
    const viaHost = host ? await runShellCommand({ ...parsed, env, sandbox }, host) : null;
    if (viaHost !== null) return viaHost;
    startHost(resolveHome(env), env);
  }
  const [{ runShellSession }, { isGrithError }] = await Promise.all([import('./session.js'), import('../../core/errors.js')]);
  const opts: ShellSessionOptions = {
    home: resolveHome(env),
    mode: { kind: 'command', command: parsed.command, shellFlags: parsed.shellFlags, positional: parsed.positional },
    proxy: parsed.proxy,
    mount: parsed.mount,
    env,
    sandbox: sandboxed,
  };
  try {
    return await runShellSession(opts);
  } catch (e) {
    const msg = isGrithError(e) ? `${e.message}${e.hint ? ` (${e.hint})` : ''}` : (e as Error).message || String(e);
    process.stderr.write(`grith: ${msg.split('\n')[0]}\n`);
    return isGrithError(e) ? e.exitCode : 2;
  }
}

/** Exit once stderr has drained (a pipe write is asynchronous and process.exit would cut it). */
export function exitAfterDrain(code: number): void {
  process.exitCode = code;
  process.stderr.write('', () => process.exit(code));
}
