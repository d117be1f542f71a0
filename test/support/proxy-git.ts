// A real git smart-HTTP server for the proxy tests: `git http-backend` (CGI) behind a local HTTPS server.
import { execFileSync, spawn } from 'node:child_process';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { CertificateAuthority } from '../../src/guards/proxy/tls-ca.js';

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
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: 'tester',
      REMOTE_ADDR: '127.0.0.1',
      GIT_HTTP_MAX_REQUEST_BUFFER: '100M',
      ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
      ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
      ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
    };
    const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let started = false;
    cgi.stdout.on('data', (d: Buffer) => {
      if (started) return void res.write(d);
      head = Buffer.concat([head, d]);
      const at = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n');
      if (at < 0) return;
      const sep = head[at] === 13 ? 4 : 2;
      let status = 200;
      for (const line of head.subarray(0, at).toString('latin1').split(/\r?\n/)) {
        const i = line.indexOf(':');
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = parseInt(v, 10);
        else res.setHeader(k, v);
      }
      res.statusCode = status;
      started = true;
      res.write(head.subarray(at + sep));
    });
    cgi.on('close', () => res.end());
    req.on('aborted', () => cgi.kill());
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
