// The shell host: one background process per user, GRITH_HOME and build that serves `grith shell -c` sessions with
// an already compiled matcher (live: store changes reach it like any guard) and an already running proxy.
// Each session gets its own exec socket, so events carry its session id and a terminate ends only that session.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, chmodSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { isGrithError } from '../../../core/errors.js';
import type { GrithEvent } from '../../../events/types.js';
import { ExecGuardServer } from '../../../guards/shell/exec-guard-server.js';
import { oneLine } from '../../../guards/shell/exec-protocol.js';
import { bannerLine } from '../banner.js';
import { createGuardContext, type SessionGuardContext } from '../../guard-context.js';
import { envPlacements, type SessionProxyEnv } from '../env.js';
import { lineReader, privateDir, type ClientMessage, type HostMessage, type OpenRequest } from './protocol.js';
import { killSession } from '../proctree.js';
import { startSessionProxy, type SessionProxy } from '../proxy.js';

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
  server: ExecGuardServer | null;
  /** Set when a terminate canary is denied; settles once the session's processes are killed. */
  terminating: Promise<void> | null;
  endTerminating: () => void;
  label?: string;
}

function send(sock: Socket, m: HostMessage): void {
  if (!sock.destroyed) sock.write(JSON.stringify(m) + '\n');
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
  let ctx: SessionGuardContext | null = null;
  let proxy: Promise<SessionProxy> | null = null;

  const broadcast = (e: GrithEvent) => {
    const line = bannerLine(e);
    if (line === null) return;
    for (const s of sessions.values()) {
      // Proxy events are not tied to one session (the proxy is shared): every open session shows them.
      if (e.session === s.id || (e.guard === 'proxy' && !e.session)) send(s.client, { op: 'banner', line });
    }
  };
  ctx = await createGuardContext(opts.home, { onRecorded: broadcast });

  const proxyEnv = async (): Promise<SessionProxyEnv> => {
    proxy ??= startSessionProxy({
      home: opts.home,
      ctx: ctx!,
      dir: opts.dir,
      onError: (e) => ctx!.record({ kind: 'guard.error', guard: 'proxy', action: 'deny', message: `session proxy failed: ${oneLine(String((e as Error)?.message ?? e), 200)}` }),
    }).then((p) => {
      p.warm();
      return p;
    });
    return (await proxy).env;
  };

  const open = async (client: Socket, req: OpenRequest, s: HostSession) => {
    const snap = ctx!.snapshot();
    if (!snap.matcher && snap.error) {
      const e = snap.error;
      send(client, { op: 'error', message: e.message, hint: e.hint, exitCode: e.exitCode });
      return;
    }
    const base = ctx!;
    const sessionCtx = { ...base, session: s.id, snapshot: () => base.snapshot(), onChange: base.onChange, record: base.record, flush: base.flush };
    const sockPath = join(opts.dir, `s-${s.id}.sock`);
    s.server = await ExecGuardServer.listen({
      ctx: sessionCtx,
      socketPath: sockPath,
      onDeny: (info) => {
        if (info.decision.terminate && !s.terminating) s.terminating = new Promise((r) => (s.endTerminating = r));
      },
      onTerminate: (info) => {
        s.label = info.decision.fires.find((f) => f.canary?.terminate)?.hit.label ?? '?';
        void killSession(undefined, `GRITH_EXEC_SOCK=${sockPath}`).finally(() => s.endTerminating());
      },
    });
    const d = await s.server.check({ kind: 'shell -c', pid: req.pid, ppid: req.ppid, path: '/bin/bash', argv: req.argv });
    if (!d.allow) {
      // The refusal's event is on disk before the caller hears of it (a script may read the log next).
      await ctx!.flush().catch(() => undefined);
      send(client, { op: 'denied', reason: d.reason, terminate: d.terminate });
      return;
    }
    send(client, {
      op: 'opened',
      session: s.id,
      execLib: opts.execLib,
      execSock: sockPath,
      placed: [...envPlacements(ctx!.snapshot().canaries)],
      ...(req.proxy ? { proxy: await proxyEnv() } : {}),
    });
  };

  let idle: NodeJS.Timeout | null = null;
  let server: Server;
  const shutdown = async () => {
    server.close();
    for (const s of sessions.values()) s.client.destroy();
    if (proxy) await proxy.then((p) => p.close()).catch(() => undefined);
    await ctx?.close().catch(() => undefined);
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
    const s: HostSession = { id: randomBytes(4).toString('hex'), client, server: null, terminating: null, endTerminating: () => undefined };
    sessions.set(s.id, s);
    armIdle();
    let started = false;
    client.on('error', () => client.destroy());
    client.on('close', () => {
      sessions.delete(s.id);
      void s.server?.close().then(() => {
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
          open(client, msg, s).catch((e: unknown) => {
            const err = isGrithError(e) ? e : null;
            send(client, { op: 'error', message: err?.message ?? String((e as Error)?.message ?? e), hint: err?.hint, exitCode: 2 });
          });
        } else if (msg?.op === 'close' && started) {
          // The deny of a terminate canary was handled before bash could exit, so `terminating` is already set.
          void (async () => {
            if (s.terminating) await s.terminating;
            // Events still being written reach the client as banners before the session is declared closed.
            await ctx!.flush().catch(() => undefined);
            send(client, { op: 'closed', terminated: s.terminating !== null, ...(s.label ? { label: s.label } : {}) });
            client.end();
          })();
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
  armIdle();
  // A host whose home or folder was removed (a test's temporary home, `rm -rf ~/.grith`) has nothing to serve.
  const watch = setInterval(() => {
    if (sessions.size === 0 && (!existsSync(opts.home) || !existsSync(opts.sock))) void shutdown();
  }, 2000);
  watch.unref();
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void shutdown());
}
