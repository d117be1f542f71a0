// `grith shell -c` through the shell host: ask the host for a session (it checks CMD with its already compiled
// matcher), run bash with the session's environment, tell the host when bash is done. Returns null when no host
// answers — the caller then runs the session in-process and starts a host for the next command.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { constants } from 'node:os';
import { writeBanner } from '../banner.js';
import { buildSessionEnv } from '../env.js';
import { buildId, hostPaths, lineReader, privateDir, type HostMessage, type OpenRequest } from './protocol.js';
import { execGuardLibrary, hostMainPath, realShell } from '../paths.js';

export interface HostRun {
  shellFlags: string[];
  command: string;
  positional: string[];
  proxy: boolean;
}

const signalNumbers = constants.signals as Record<string, number>;

function connect(sock: string): Promise<Socket | null> {
  if (!existsSync(sock)) return Promise.resolve(null);
  return new Promise((resolve) => {
    const c = createConnection(sock);
    c.once('connect', () => resolve(c));
    c.once('error', () => resolve(null));
  });
}

/** Start a host in the background for the next command; never waits for it. */
export function startHost(home: string, env: NodeJS.ProcessEnv): void {
  if (env.GRITH_SHELL_HOST === '0') return;
  const main = hostMainPath();
  if (!main) return;
  try {
    // Called after no host answered: a socket left there is a dead host's, which the new one replaces.
    const { dir, sock } = hostPaths(home, buildId(main));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!privateDir(dir)) return; // not ours, or open to others: never run a host there
    // Commands that arrive while a host is starting run in-process; they must not each start another host.
    const starting = join(dir, 'starting');
    try {
      if (Date.now() - statSync(starting).mtimeMs < 10_000) return;
    } catch {
      /* no recent start */
    }
    writeFileSync(starting, String(process.pid), { mode: 0o600 });
    const log = openSync(join(dir, 'host.log'), 'a', 0o600);
    const child = spawn(process.execPath, [main, home, dir, sock, execGuardLibrary()], {
      detached: true,
      stdio: ['ignore', log, log],
      // Not the caller's folder: a long-lived process there would keep a mount busy.
      cwd: '/',
      env,
    });
    closeSync(log);
    child.unref();
  } catch {
    /* no host: every command runs its own session, slower but whole */
  }
}

export async function runViaHost(home: string, run: HostRun, env: NodeJS.ProcessEnv): Promise<number | null> {
  if (env.GRITH_SHELL_HOST === '0') return null;
  const main = hostMainPath();
  if (!main) return null;
  const { dir, sock } = hostPaths(home, buildId(main));
  if (!privateDir(dir)) return null;
  const conn = await connect(sock);
  if (!conn) return null;

  const shell = realShell(env, true);
  const args = [...run.shellFlags, '-c', run.command, ...run.positional];
  const messages: HostMessage[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  conn.on(
    'data',
    lineReader((m) => {
      const msg = m as HostMessage | null;
      if (!msg) return;
      if (msg.op === 'banner') writeBanner(msg.line, false);
      else messages.push(msg);
      wake?.();
    }),
  );
  conn.on('close', () => {
    closed = true;
    wake?.();
  });
  conn.on('error', () => undefined);
  const next = async (timeoutMs: number): Promise<HostMessage | null> => {
    const deadline = Date.now() + timeoutMs;
    while (messages.length === 0 && !closed && Date.now() < deadline) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, Math.max(1, deadline - Date.now())).unref();
      });
      wake = null;
    }
    return messages.shift() ?? null;
  };

  const open: OpenRequest = { op: 'open', argv: [shell.split('/').pop()!, ...args], pid: process.pid, ppid: process.ppid, proxy: run.proxy };
  conn.write(JSON.stringify(open) + '\n');
  const first = await next(30_000);
  if (!first) {
    // The host did not answer (busy, dying): nothing ran yet, so the caller can still run the session itself.
    conn.destroy();
    return null;
  }
  if (first.op === 'error') {
    conn.destroy();
    process.stderr.write(`grith: ${first.message}${first.hint ? ` (${first.hint})` : ''}\n`);
    return first.exitCode;
  }
  if (first.op === 'denied') {
    conn.destroy();
    process.stderr.write(`grith: ${first.reason.replace(/^blocked exec of [^:]*:/, 'blocked command:')}\n`);
    return first.terminate ? 137 : 126;
  }
  if (first.op !== 'opened') {
    conn.destroy();
    return null;
  }

  const sessionEnv = buildSessionEnv({
    base: env,
    execLib: first.execLib,
    execSock: first.execSock,
    session: first.session,
    placed: new Map(first.placed),
    shell: realShell(env, false),
    proxy: first.proxy,
  });
  const code = await new Promise<number>((resolve) => {
    const child = spawn(shell, args, { stdio: 'inherit', env: sessionEnv });
    const sigs: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
    const fwd = (s: NodeJS.Signals) => child.kill(s);
    for (const s of sigs) process.on(s, fwd);
    child.once('error', () => resolve(126));
    child.once('exit', (c, sig) => {
      for (const s of sigs) process.off(s, fwd);
      resolve(c ?? 128 + (sig ? (signalNumbers[sig] ?? 0) : 0));
    });
  });
  conn.write(JSON.stringify({ op: 'close' }) + '\n');
  const last = await next(15_000);
  conn.destroy();
  if (last?.op === 'closed' && last.terminated) {
    process.stderr.write(`grith: session terminated: canary "${last.label ?? '?'}" fired and is marked terminate\n`);
    return 137;
  }
  return code;
}
