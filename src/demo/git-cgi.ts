// A bridge from an HTTP request to the real `git http-backend` CGI: the demo attacker's git server (and the tests'
// local forges) speak git smart HTTP through it.
import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface GitCgiOptions {
  /** Folder holding the bare repositories. */
  root: string;
  /** The repository path part of the URL (e.g. `/loot.git/info/refs`). */
  pathInfo: string;
  /** REMOTE_USER for the CGI (git http-backend refuses anonymous pushes). */
  user: string;
  /** Base environment (PATH, HOME…) for git. */
  env?: NodeJS.ProcessEnv;
}

export function serveGitCgi(req: IncomingMessage, res: ServerResponse, o: GitCgiOptions): ChildProcess {
  const url = new URL(req.url ?? '/', 'http://x');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...o.env,
    GIT_PROJECT_ROOT: o.root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method,
    PATH_INFO: o.pathInfo,
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_USER: o.user,
    REMOTE_ADDR: '127.0.0.1',
    GIT_HTTP_MAX_REQUEST_BUFFER: '100M',
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
  };
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  cgi.once('error', () => res.destroy());
  req.pipe(cgi.stdin!);
  cgi.stdin!.on('error', () => undefined);
  req.on('aborted', () => cgi.kill('SIGKILL'));
  // CGI answers with its own header block (Status: and headers), then the body.
  let head = Buffer.alloc(0);
  let started = false;
  cgi.stdout!.on('data', (d: Buffer) => {
    if (started) return void res.write(d);
    head = Buffer.concat([head, d]);
    const crlf = head.indexOf('\r\n\r\n');
    const at = crlf >= 0 ? crlf : head.indexOf('\n\n');
    if (at < 0) return;
    let status = 200;
    for (const line of head.subarray(0, at).toString('latin1').split(/\r?\n/)) {
      const i = line.indexOf(':');
      const k = line.slice(0, i).trim();
      const v = line.slice(i + 1).trim();
      if (k.toLowerCase() === 'status') status = parseInt(v, 10) || 500;
      else if (k) res.setHeader(k, v);
    }
    res.statusCode = status;
    started = true;
    res.write(head.subarray(at + (crlf >= 0 ? 4 : 2)));
  });
  cgi.on('close', () => res.end());
  return cgi;
}
