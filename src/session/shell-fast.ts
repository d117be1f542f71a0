// The lean entry of `grith shell -c CMD`: agents run every command through `$SHELL -c`, so this path must not load
// oclif (~270 ms). bin/run.js and bin/grith-shell.js call it; anything it does not recognise goes back to oclif.
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

/** Runs the session when the arguments fit the fast path; null means "not mine, hand over to oclif". */
export async function fastShell(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  const parsed = parseFastArgs(args);
  if (!parsed) return null;
  const [{ runShellSession }, { resolveHome }, { isGrithError }] = await Promise.all([
    import('./shell-session.js'),
    import('../store/home.js'),
    import('../core/errors.js'),
  ]);
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
