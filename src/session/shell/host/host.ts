// The shell host: one background process per user, GRITH_HOME and build that serves `grith shell -c` sessions with
// an already compiled matcher (live: store changes reach it like any guard) and an already running proxy.
// Each client gets its own exec session (own socket, own session id on events, a terminate ends only that session);
// the host only carries the command core's questions and answers (../command.ts) over its socket.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, chmodSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { oneLine } from '../../../core/display.js';
import { isGrithError } from '../../../core/errors.js';
import type { GrithEvent } from '../../../events/types.js';
import { openGuardContext, type SessionGuardContext } from '../../guard-context.js';
import { bannerLine } from '../../banner.js';
import type { CommandGrant, CommandSession, OpenResult } from '../command.js';
import { envPlacements, type SessionProxyEnv } from '../env.js';
import { commandGuard, ExecSession } from '../exec-session.js';
import { grithLaunch } from '../paths.js';
import { insideExecSock } from '../sandbox.js';
import { startSessionProxy, type SessionProxy } from '../proxy.js';
import { lineReader, privateDir, type ClientMessage, type HostMessage, type OpenRequest } from './protocol.js';

export interface ShellHostOptions {
  home: string;
  dir: string;
  sock: string;
  execLib: string;
  /** Exit after this long without a session (default 60 s). */
  idleMs?: number;
}

interface HostSession {
  id: string;
  client: Socket;
  exec: ExecSession | null;
  guard: CommandSession | null;
}

function send(sock: Socket, m: HostMessage): void {
  if (!sock.destroyed) sock.write(JSON.stringify(m) + '\n');
}

function wireOpen(r: OpenResult): HostMessage {
  if (r.kind === 'opened') return { op: 'opened', grant: { ...r.grant, placed: [...r.grant.placed] } };
  const { kind: _kind, ...rest } = r;
  return { op: r.kind, ...rest } as HostMessage;
}

/** Is something already answering on sock? (Then this host is not needed.) */
function alive(sock: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(sock);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function runShellHost(opts: ShellHostOptions): Promise<void> {
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  if (!privateDir(opts.dir)) throw new Error(`refusing to serve from ${opts.dir}: not a private folder of this user`);
  const sessions = new Map<string, HostSession>();
  let proxy: Promise<SessionProxy> | null = null;

  const broadcast = (e: GrithEvent) => {
    const line = bannerLine(e);
    if (line === null) return;
    for (const s of sessions.values()) {
      // Proxy events are not tied to one session (the proxy is shared): every open session shows them.
      if (e.session === s.id || (e.guard === 'proxy' && !e.session)) send(s.client, { op: 'banner', line });
    }
  };
  const ctx: SessionGuardContext = await openGuardContext(opts.home, { mode: 'live', onRecorded: broadcast });

  const proxyEnv = async (): Promise<SessionProxyEnv> => {
    proxy ??= startSessionProxy({
      home: opts.home,
      ctx,
      dir: opts.dir,
      onError: (e) => ctx.record({ kind: 'guard.error', guard: 'proxy', action: 'deny', message: `session proxy failed: ${oneLine(String((e as Error)?.message ?? e), 200)}` }),
    }).then((p) => {
      p.warm();
      return p;
    });
    return (await proxy).env;
  };

  let launch: string | null = null;
  try {
    launch = grithLaunch();
  } catch {
    /* not built: sandboxed clients refuse to start without it (their own check) */
  }
  const open = async (s: HostSession, req: OpenRequest): Promise<void> => {
    const sessionCtx = ctx.forSession(s.id);
    // The client may run the command sandboxed, where the socket has its inside name: a terminate looks for both.
    const approvalsSock = join(opts.dir, `a-${s.id}.sock`);
    s.exec = await ExecSession.start({ ctx: sessionCtx, socketPath: join(opts.dir, `s-${s.id}.sock`), insidePath: insideExecSock(s.id), approvalsPath: approvalsSock });
    const exec = s.exec;
    const grant = async (): Promise<CommandGrant> => ({
      session: s.id,
      execLib: opts.execLib,
      execSock: exec.socketPath,
      // The client may run the command sandboxed: its supervisor is grith-launch, fed from this session's approvals.
      ...(launch ? { launch, approvalsSock } : {}),
      placed: envPlacements(ctx.snapshot().canaries),
      ...(req.proxy ? { proxy: await proxyEnv() } : {}),
    });
    s.guard = commandGuard(sessionCtx, exec, grant, { pid: req.pid, ppid: req.ppid });
    const r = await s.guard.open(req.argv);
    // Nothing else happens on a refused session: the client hangs up.
    if (r !== null) send(s.client, wireOpen(r));
  };

  let idle: NodeJS.Timeout | null = null;
  let server: Server;
  const shutdown = async () => {
    server.close();
    for (const s of sessions.values()) s.client.destroy();
    if (proxy) await proxy.then((p) => p.close()).catch(() => undefined);
    await ctx.close().catch(() => undefined);
    try {
      unlinkSync(opts.sock);
    } catch {
      /* gone */
    }
    process.exit(0);
  };
  const armIdle = () => {
    if (idle) clearTimeout(idle);
    idle = sessions.size === 0 ? setTimeout(() => void shutdown(), opts.idleMs ?? 60_000) : null;
  };

  server = createServer((client) => {
    const s: HostSession = { id: randomBytes(4).toString('hex'), client, exec: null, guard: null };
    sessions.set(s.id, s);
    armIdle();
    let started = false;
    client.on('error', () => client.destroy());
    client.on('close', () => {
      sessions.delete(s.id);
      void s.exec?.close().then(() => {
        try {
          unlinkSync(join(opts.dir, `s-${s.id}.sock`));
        } catch {
          /* closed server removed it */
        }
      });
      armIdle();
    });
    client.on(
      'data',
      lineReader((m) => {
        const msg = m as ClientMessage | null;
        if (msg?.op === 'open' && !started && Array.isArray(msg.argv)) {
          started = true;
          open(s, msg).catch((e: unknown) => {
            const err = isGrithError(e) ? e : null;
            send(client, { op: 'error', message: err?.message ?? String((e as Error)?.message ?? e), ...(err?.hint ? { hint: err.hint } : {}), exitCode: 2 });
          });
        } else if (msg?.op === 'close' && s.guard) {
          const guard = s.guard;
          void guard.close().then((end) => {
            send(client, { op: 'closed', ...end });
            client.end();
          });
        } else client.destroy();
      }),
    );
  });

  await new Promise<void>((resolve, reject) => {
    const attempt = (retry: boolean) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EADDRINUSE' || !retry) return reject(e);
        // Another host won the race, or a dead one left its socket behind.
        void alive(opts.sock).then((yes) => {
          if (yes) process.exit(0);
          try {
            unlinkSync(opts.sock);
          } catch {
            /* raced */
          }
          attempt(false);
        });
      });
      server.listen(opts.sock, () => resolve());
    };
    attempt(true);
  });
  chmodSync(opts.sock, 0o600);
  // Who serves this folder: a sweep leaves it alone while this process lives (session-dir.ts).
  writeFileSync(join(opts.dir, 'pid'), String(process.pid), { mode: 0o600 });
  armIdle();
  // A host whose home or folder was removed (a test's temporary home, `rm -rf ~/.grith`) has nothing to serve.
  const watch = setInterval(() => {
    if (sessions.size === 0 && (!existsSync(opts.home) || !existsSync(opts.sock))) void shutdown();
  }, 2000);
  watch.unref();
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void shutdown());
}
