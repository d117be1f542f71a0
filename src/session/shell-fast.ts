// The lean entry of `grith shell -c CMD`: agents run every command through `$SHELL -c`, so this path must not load
// oclif (~270 ms). bin/run.js and bin/grith-shell.js call it; anything it does not recognise goes back to oclif.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';

const osSignals = constants.signals as Record<string, number>;
import { assertHomeSafe, resolveHome } from '../store/home.js';
import { runViaHost, startHost } from './shell-host-client.js';
import type { ShellSessionOptions } from './shell-session.js';

export interface FastArgs {
  command: string;
  shellFlags: string[];
  positional: string[];
  proxy: boolean;
  mount?: { source: string; target: string };
}

/**
 * `[--no-proxy] [--mount SRC:DST] [-l|-e|-x…] -c CMD [ARG0 ARGS…]`, also bash's clusters like `-lc`.
 * Returns null for anything else (help, --json, `-- PROGRAM`, interactive), which the full command handles.
 */
export function parseFastArgs(args: readonly string[]): FastArgs | null {
  const shellFlags: string[] = [];
  let proxy = true;
  let mount: FastArgs['mount'];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--no-proxy') proxy = false;
    else if (a === '--mount' || a.startsWith('--mount=')) {
      const v = a === '--mount' ? args[++i] : a.slice('--mount='.length);
      const m = v === undefined ? null : /^(.+?):(.+)$/.exec(v);
      if (!m) return null;
      mount = { source: m[1]!, target: m[2]! };
    } else if (/^-[a-zA-Z]+$/.test(a) && a.includes('c')) {
      const command = args[i + 1];
      if (command === undefined) return null;
      const rest = a.slice(1).replace('c', '');
      if (rest.length > 0) shellFlags.push(`-${rest}`);
      return { command, shellFlags, positional: args.slice(i + 2), proxy, mount };
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

function delegate(parsed: FastArgs, env: NodeJS.ProcessEnv): Promise<number> {
  const shell = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
  return new Promise((resolve) => {
    const child = spawn(shell, [...parsed.shellFlags, '-c', parsed.command, ...parsed.positional], { stdio: 'inherit', env });
    const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
    const fwd = (s: NodeJS.Signals) => child.kill(s);
    for (const s of sigs) process.on(s, fwd);
    child.once('error', (e: NodeJS.ErrnoException) => {
      // The enclosing guard refused the exec (it printed why) or could not be reached: bash's "cannot execute".
      if (e.code !== 'EACCES') process.stderr.write(`grith: cannot run ${shell}: ${e.code ?? e.message}\n`);
      resolve(126);
    });
    child.once('exit', (code, signal) => {
      for (const s of sigs) process.off(s, fwd);
      resolve(code ?? 128 + (signal ? (osSignals[signal] ?? 0) : 0));
    });
  });
}

/** Runs the session when the arguments fit the fast path; null means "not mine, hand over to oclif". */
export async function fastShell(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  const parsed = parseFastArgs(args);
  if (!parsed) return null;
  if (parsed.mount === undefined && insideSession(env)) return delegate(parsed, env);
  // A home others can write is refused before any session starts (oclif commands do the same in GrithCommand.init).
  const unsafe = await assertHomeSafe(resolveHome(env)).then(() => null, (e: unknown) => e as Error & { hint?: string; exitCode?: number });
  if (unsafe) {
    process.stderr.write(`grith: ${unsafe.message}${unsafe.hint ? ` (${unsafe.hint})` : ''}\n`);
    return unsafe.exitCode ?? 2;
  }
  if (parsed.mount === undefined) {
    // A running shell host has the matcher compiled and the proxy up: a session costs one round trip.
    const viaHost = await runViaHost(resolveHome(env), parsed, env);
    if (viaHost !== null) return viaHost;
    startHost(resolveHome(env), env);
  }
  const [{ runShellSession }, { isGrithError }] = await Promise.all([import('./shell-session.js'), import('../core/errors.js')]);
  const opts: ShellSessionOptions = {
    home: resolveHome(env),
    mode: { kind: 'command', command: parsed.command, shellFlags: parsed.shellFlags, positional: parsed.positional },
    proxy: parsed.proxy,
    mount: parsed.mount,
    env,
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
