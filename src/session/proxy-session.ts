// Composition for `grith proxy`: the store-backed guard context, the CA in $GRITH_HOME/ca, upstream trust, the server.
import { caDir, ensureHome } from '../store/home.js';
import type { GrithEvent } from '../events/types.js';
import { openGuardContext, type SessionGuardContext } from './guard-context.js';
import { writeCaBundle, type CaBundleInfo } from '../guards/proxy/ca-bundle.js';
import { ProxyServer } from '../guards/proxy/proxy-server.js';
import { CertificateAuthority } from '../guards/proxy/tls-ca.js';
import { upstreamTrust } from '../guards/proxy/upstream-trust.js';

export interface ProxySessionOptions {
  home: string;
  port?: number;
  upstreamCaFile?: string;
  /** Require a generated per-session credential in the proxy URL. */
  auth?: boolean;
  session?: string;
  /** Each event the proxy records, once written (the command's banner on stderr). */
  onRecorded?: (e: GrithEvent) => void;
}

export interface ProxySession {
  server: ProxyServer;
  ctx: SessionGuardContext;
  ca: CaBundleInfo;
  stop(): Promise<void>;
}

export async function openCa(home: string): Promise<CertificateAuthority> {
  await ensureHome(home);
  return CertificateAuthority.open(caDir(home));
}

/** A new CA for home, the old one's files set aside (grith proxy ca --renew). */
export async function renewCa(home: string): Promise<{ ca: CertificateAuthority; setAside: string[] }> {
  await ensureHome(home);
  return CertificateAuthority.renew(caDir(home));
}

export async function startProxySession(opts: ProxySessionOptions): Promise<ProxySession> {
  // Fail before opening anything when the CA or --upstream-ca is unusable.
  const ca = await openCa(opts.home);
  const trust = await upstreamTrust({ upstreamCaFile: opts.upstreamCaFile });
  const bundle = await writeCaBundle(ca);
  const ctx = await openGuardContext(opts.home, { mode: 'live', session: opts.session, onRecorded: opts.onRecorded });
  let server: ProxyServer;
  try {
    server = await ProxyServer.start({ ctx, ca, trust, port: opts.port, ...(opts.auth ? { token: true as const } : {}) });
  } catch (e) {
    await ctx.close();
    throw e;
  }
  const where = `127.0.0.1:${server.port}`;
  ctx.record({ kind: 'guard.started', guard: 'proxy', action: 'info', where, message: `proxy listening on ${where}` });
  return {
    server,
    ctx,
    ca: bundle,
    async stop() {
      await server.close();
      ctx.record({ kind: 'guard.stopped', guard: 'proxy', action: 'info', where, message: `proxy on ${where} stopped` });
      await ctx.close();
    },
  };
}
