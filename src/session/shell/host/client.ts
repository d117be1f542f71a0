// `grith shell -c` through the shell host: the host's CommandSession seen from the client's side of its socket.
// When no host answers, the caller runs the session in-process and starts a host for the next command.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { writeBanner } from '../../banner.js';
import type { CommandSession, OpenResult, SessionEnd } from '../command.js';
import { execGuardLibrary, hostMainPath } from '../paths.js';
import { buildId, hostPaths, lineReader, privateDir, type HostMessage, type OpenRequest } from './protocol.js';

/** How long the host may take to check a command before the client runs it itself (nothing has run yet). */
const OPEN_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 15_000;

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

/** The running host's session for one command, or null when no host answers. */
export async function hostSession(home: string, env: NodeJS.ProcessEnv, proxy: boolean): Promise<CommandSession | null> {
  if (env.GRITH_SHELL_HOST === '0') return null;
  const main = hostMainPath();
  if (!main) return null;
  const { dir, sock } = hostPaths(home, buildId(main));
  if (!privateDir(dir)) return null;
  const conn = await connect(sock);
  if (!conn) return null;

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

  return {
    async open(argv): Promise<OpenResult | null> {
      const req: OpenRequest = { op: 'open', argv, pid: process.pid, ppid: process.ppid, proxy };
      conn.write(JSON.stringify(req) + '\n');
      const m = await next(OPEN_TIMEOUT_MS);
      if (m?.op !== 'opened') conn.destroy();
      // No answer (busy, dying) or a stray message: nothing ran yet, so the caller can still run the session itself.
      if (m === null) return null;
      if (m.op === 'opened') return { kind: 'opened', grant: { ...m.grant, placed: new Map(m.grant.placed) } };
      if (m.op === 'denied') return { kind: 'denied', reason: m.reason, terminate: m.terminate };
      if (m.op === 'error') return { kind: 'error', message: m.message, ...(m.hint ? { hint: m.hint } : {}), exitCode: m.exitCode };
      return null;
    },
    async close(): Promise<SessionEnd> {
      conn.write(JSON.stringify({ op: 'close' }) + '\n');
      const m = await next(CLOSE_TIMEOUT_MS);
      conn.destroy();
      return m?.op === 'closed' ? { terminated: m.terminated, ...(m.label !== undefined ? { label: m.label } : {}) } : { terminated: false };
    },
  };
}
