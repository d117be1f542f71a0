// The proxy of a `grith shell` session, started lazily: the session gets its URL and CA files at once, but the proxy
// code (TLS, x509: ~400 ms of imports) loads only when the first connection arrives — most `-c` commands never
// open one. A small front listener hands each connection to the real proxy once it runs, in this process: the proxy
// then holds the client's own socket, so the kernel can say which process owns it (the model channel).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, chmod, copyFile, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { ProxyError } from '../../core/errors.js';
import type { GuardContext } from '../../guards/guard-context.js';
import type { ModelChannel } from '../../guards/proxy/model-channel.js';
import type { ProxyServer } from '../../guards/proxy/proxy-server.js';
import { caDir } from '../../store/home.js';
import type { SessionProxyEnv } from './env.js';

/** Same list as the proxy's SYSTEM_BUNDLES (upstream-trust.ts), kept here to avoid loading node:tls on the hot path. */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
/** The CA certificate file the proxy keeps in $GRITH_HOME/ca (tls-ca.ts caPaths). */
const CA_CERT_NAME = 'grith-ca.crt';
const CA_KEY_NAME = 'grith-ca.key';

export interface SessionProxy {
  env: SessionProxyEnv;
  /** Start the real proxy now, in the background (long sessions: the first request should not wait for it). */
  warm(): void;
  close(): Promise<void>;
}

export interface SessionProxyOptions {
  home: string;
  ctx: GuardContext;
  /** The session's private folder: the joined CA bundle is written there. */
  dir: string;
  /** The proxy could not start: connections are refused (fail closed) and the user is told once. */
  onError: (e: unknown) => void;
  /** The agent's model channel (sessions running a program). */
  model?: ModelChannel;
  /** Private CAs of upstream servers (--upstream-ca, GRITH_UPSTREAM_CA): unreadable ones stop the session. */
  upstreamCaFiles?: readonly string[];
  /** CAs the user trusted before the session took their variables over (kept when readable). */
  extraCaFiles?: readonly string[];
}

/** The system roots followed by grith's CA, written with a kernel copy (the system bundle is ~200 KB). */
async function writeJoinedBundle(file: string, caPem: string): Promise<void> {
  for (const f of SYSTEM_BUNDLES) {
    try {
      await copyFile(f, file);
      await chmod(file, 0o600);
      await appendFile(file, '\n' + caPem);
      return;
    } catch {
      /* try the next location */
    }
  }
  await writeFile(file, caPem, { mode: 0o600 });
}

async function loadProxy(opts: SessionProxyOptions, token: string): Promise<ProxyServer> {
  // The Reflect shim must run before @peculiar/x509 evaluates; a bundler may hoist the package import above the
  // shim inside one chunk, so load the shim on its own first.
  await import('../../guards/proxy/reflect-shim.js');
  const [{ ProxyServer }, { CertificateAuthority }, { upstreamTrust }] = await Promise.all([
    import('../../guards/proxy/proxy-server.js'),
    import('../../guards/proxy/tls-ca.js'),
    import('../../guards/proxy/upstream-trust.js'),
  ]);
  const ca = await CertificateAuthority.open(caDir(opts.home));
  const trust = await upstreamTrust({ upstreamCaFiles: opts.upstreamCaFiles, extraCaFiles: opts.extraCaFiles });
  return ProxyServer.start({ ctx: opts.ctx, ca, trust, token, model: opts.model, upstreamCaHint: 'grith shell --upstream-ca FILE (or GRITH_UPSTREAM_CA)' });
}

export async function startSessionProxy(opts: SessionProxyOptions): Promise<SessionProxy> {
  const token = randomBytes(18).toString('base64url');
  const certFile = join(caDir(opts.home), CA_CERT_NAME);
  let proxy: Promise<ProxyServer> | null = null;
  const start = (): Promise<ProxyServer> => {
    proxy ??= loadProxy(opts, token);
    return proxy;
  };
  // First use of grith's CA: create it now, the session's variables must point at a real file. A certificate without
  // its key is refused now (CaKeyMissingError), not at the first connection.
  if (!existsSync(certFile) || !existsSync(join(caDir(opts.home), CA_KEY_NAME))) await start();

  const bundle = join(opts.dir, 'ca-bundle.pem');
  const caPem = await readFile(certFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ProxyError(`cannot read the proxy CA ${certFile}: ${e.code ?? e.message}`, 'remove the ca folder to create a new CA');
  });
  await writeJoinedBundle(bundle, caPem);

  const waiting = new Set<Socket>();
  let failed = false;
  const front: Server = createServer({ pauseOnConnect: true }, (client) => {
    waiting.add(client);
    client.on('close', () => waiting.delete(client));
    client.on('error', () => client.destroy());
    start().then(
      (p) => {
        waiting.delete(client);
        if (!client.destroyed) p.accept(client);
      },
      (e: unknown) => {
        // Fail closed: no proxy, no connection.
        client.destroy();
        if (!failed) {
          failed = true;
          opts.onError(e);
        }
      },
    );
  });
  const port = await new Promise<number>((resolve, reject) => {
    front.once('error', (e) => reject(new ProxyError(`cannot listen on 127.0.0.1 for the session proxy: ${(e as Error).message}`)));
    front.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const a = front.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });

  return {
    env: { url: `http://grith:${token}@127.0.0.1:${port}`, caCert: certFile, caBundle: bundle },
    warm() {
      void start().catch((e: unknown) => {
        if (!failed) {
          failed = true;
          opts.onError(e);
        }
      });
    },
    async close() {
      for (const s of waiting) s.destroy();
      await new Promise<void>((r) => front.close(() => r()));
      if (proxy) await proxy.then((p) => p.close()).catch(() => undefined);
    },
  };
}
