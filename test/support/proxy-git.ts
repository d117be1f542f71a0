// A real git smart-HTTP server for the proxy tests: `git http-backend` (CGI) behind a local HTTPS server.
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { CertificateAuthority } from '../../src/guards/proxy/tls-ca.js';
import { serveGitCgi } from '../../src/demo/git-cgi.js';

export interface GitServer {
  port: number;
  root: string;
  url(repo: string): string;
  close(): Promise<void>;
}

export async function gitHttpServer(ca: CertificateAuthority, root: string): Promise<GitServer> {
  const leaf = await ca.mintLeaf('127.0.0.1');
  const server = https.createServer({ cert: leaf.certPem + ca.certPem, key: leaf.keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    serveGitCgi(req, res, { root, pathInfo: decodeURIComponent(url.pathname), user: 'tester' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    root,
    url: (repo) => `https://127.0.0.1:${port}/${repo}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A bare repository under root with one commit on main, pushable over HTTP. */
export function bareRepo(root: string, name: string, work: string): string {
  const bare = path.join(root, name);
  const git = (cwd: string, ...a: string[]): string => execFileSync('git', a, { cwd, encoding: 'utf8' });
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  git(bare, 'config', 'http.receivepack', 'true');
  git(root, 'init', '-q', '-b', 'main', work);
  git(work, 'config', 'user.email', 't@example.com');
  git(work, 'config', 'user.name', 't');
  execFileSync('sh', ['-c', 'seq 1 3000 > numbers.txt && echo "# demo" > README.md'], { cwd: work });
  git(work, 'add', '.');
  git(work, 'commit', '-qm', 'initial');
  git(work, 'push', '-q', bare, 'main');
  return bare;
}
