// A local HTTPS "forge" for the false-positive scenario: git smart HTTP (`git http-backend` as CGI, push enabled) under
// /git/ and static files (npm tarballs) under /files/, with a certificate from a throw-away CA the session proxy trusts.
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CertificateAuthority } from '../../../src/guards/proxy/tls-ca.js';
import { serveGitCgi } from '../../../src/demo/git-cgi.js';

export interface DevServer {
  /** https://127.0.0.1:PORT */
  base: string;
  /** https://localhost:PORT (same server) */
  named: string;
  /** PEM file of the CA behind the server's certificate (GRITH_UPSTREAM_CA for the session). */
  caFile: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startDevServer(o: { gitRoot: string; filesRoot: string }): Promise<DevServer> {
  const caRoot = await mkdtemp(path.join(tmpdir(), 'grith-scn-forge-ca-'));
  const ca = await CertificateAuthority.open(path.join(caRoot, 'ca'));
  const leaf = await ca.mintLeaf('127.0.0.1');
  // npm through a proxy verifies an IP-literal URL against "localhost" (its agent passes no servername), so the
  // tarballs are served as https://localhost:PORT with a certificate for that name, chosen by SNI.
  const named = await ca.mintLeaf('localhost');
  const namedCtx = tls.createSecureContext({ cert: named.certPem + ca.certPem, key: named.keyPem });
  const requests: string[] = [];
  const server = https.createServer({
    cert: leaf.certPem + ca.certPem,
    key: leaf.keyPem,
    SNICallback: (name, cb) => cb(null, name === 'localhost' ? namedCtx : undefined),
  }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    requests.push(`${req.method} ${url.pathname}`);
    if (url.pathname.startsWith('/files/')) {
      const file = path.join(o.filesRoot, path.basename(url.pathname));
      void stat(file).then(
        (st) => {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': st.size });
          createReadStream(file).pipe(res);
        },
        () => {
          res.writeHead(404);
          res.end();
        },
      );
      return;
    }
    if (!url.pathname.startsWith('/git/')) {
      res.writeHead(404);
      res.end();
      return;
    }
    serveGitCgi(req, res, { root: o.gitRoot, pathInfo: decodeURIComponent(url.pathname.slice('/git'.length)), user: 'agent' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `https://127.0.0.1:${port}`,
    named: `https://localhost:${port}`,
    caFile: ca.paths.certFile,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await rm(caRoot, { recursive: true, force: true });
    },
  };
}
