// The demo's "attacker": HTTP and HTTPS servers on 127.0.0.1 (HTTPS with a throw-away CA the session proxy is told
// to trust) that record every byte they receive, with a git smart-HTTP endpoint (`git http-backend`) to push to,
// and the leak check over all of it with the real matcher: raw streams, decoded bodies, pushed packs, the repository.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Server } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { brotliDecompressSync, constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { Matcher } from '../core/matcher/types.js';
import { GitPackScanner } from '../guards/proxy/git-pack.js';
import { percentDecode } from '../guards/proxy/head-scan.js';
import { CertificateAuthority } from '../guards/proxy/tls-ca.js';
import { serveGitCgi } from './git-cgi.js';

/** The bare repository the compromised agent pushes to: https://127.0.0.1:PORT/git/REPO_NAME. */
export const REPO_NAME = 'loot.git';

export interface AttackerRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface AttackerStats {
  connections: number;
  requests: number;
  /** Bytes received on all connections (decrypted for HTTPS). */
  bytes: number;
}

/** A canary found in what the attacker received: never the value, only which canary and where. */
export interface LeakFinding {
  canaryId: string;
  label: string;
  variant: string;
  in: string;
}

export interface LeakReport {
  scannedBytes: number;
  findings: LeakFinding[];
  /** Objects in the attacker's git repository (a push that got through would add some). */
  repoObjects: number;
}

interface Conn {
  chunks: Buffer[];
}

/** Decode what arrived of a compressed body, even cut off; null when nothing of it decodes. */
export function lenientDecode(body: Buffer, encoding: string): Buffer | null {
  const partial = { finishFlush: constants.Z_SYNC_FLUSH };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body, partial);
    if (encoding === 'deflate') {
      try {
        return inflateSync(body, partial);
      } catch {
        return inflateRawSync(body, partial);
      }
    }
    if (encoding === 'br') return brotliDecompressSync(body, { finishFlush: constants.BROTLI_OPERATION_FLUSH });
  } catch {
    // a cut-off or damaged body: nothing of it decodes, the raw bytes are still scanned
  }
  return null;
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out) }));
  });
}

export class Attacker {
  private readonly conns: Conn[] = [];
  readonly requests: AttackerRequest[] = [];
  private readonly sockets = new Set<Duplex>();
  private readonly cgis = new Set<ReturnType<typeof spawn>>();
  private bytes = 0;
  httpPort = 0;
  httpsPort = 0;

  private constructor(
    /** PEM file of the throw-away CA that signed the HTTPS certificate (GRITH_UPSTREAM_CA for the session proxy). */
    readonly caFile: string,
    readonly gitRoot: string,
    private readonly app: http.Server,
    private readonly servers: Server[],
  ) {}

  static async start(dir: string, gitEnv: NodeJS.ProcessEnv): Promise<Attacker> {
    const ca = await CertificateAuthority.open(path.join(dir, 'ca'));
    const leaf = await ca.mintLeaf('127.0.0.1');
    const gitRoot = path.join(dir, 'git');
    await mkdir(gitRoot, { recursive: true });
    const bare = path.join(gitRoot, REPO_NAME);
    for (const args of [['init', '-q', '--bare', '-b', 'main', bare], ['-C', bare, 'config', 'http.receivepack', 'true']]) {
      const r = await run('git', args, { env: gitEnv });
      if (r.code !== 0) throw new Error(`git ${args[0]} failed for the attacker repository`);
    }

    const app = http.createServer({ keepAlive: true });
    const plain = net.createServer();
    const secure = tls.createServer({ cert: leaf.certPem + ca.certPem, key: leaf.keyPem, ALPNProtocols: ['http/1.1'] });
    const a = new Attacker(ca.paths.certFile, gitRoot, app, [plain, secure]);
    app.on('request', (req: IncomingMessage, res: ServerResponse) => a.onRequest(req, res, gitEnv));
    plain.on('connection', (s) => a.accept(s));
    secure.on('secureConnection', (s) => a.accept(s));
    secure.on('tlsClientError', () => undefined);
    const listen = (s: Server): Promise<number> =>
      new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen({ host: '127.0.0.1', port: 0 }, () => resolve((s.address() as AddressInfo).port));
      });
    a.httpPort = await listen(plain);
    a.httpsPort = await listen(secure);
    return a;
  }

  get http(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  get https(): string {
    return `https://127.0.0.1:${this.httpsPort}`;
  }

  gitUrl(): string {
    return `${this.https}/git/${REPO_NAME}`;
  }

  private accept(s: Duplex): void {
    const conn: Conn = { chunks: [] };
    this.conns.push(conn);
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => undefined);
    this.app.emit('connection', s);
    // Attached after the HTTP server took the socket: its listener wrapper then stops consuming the handle natively,
    // so every byte also passes through here.
    s.on('data', (d: Buffer) => {
      conn.chunks.push(Buffer.from(d));
      this.bytes += d.length;
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse, gitEnv: NodeJS.ProcessEnv): void {
    const entry: AttackerRequest = { method: req.method ?? '?', url: req.url ?? '', headers: { ...req.headers }, body: Buffer.alloc(0) };
    this.requests.push(entry);
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => (entry.body = Buffer.concat(chunks)));
    req.on('close', () => (entry.body = entry.body.length > 0 ? entry.body : Buffer.concat(chunks)));
    req.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/git/')) return this.git(req, res, url, gitEnv);
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('thanks\n');
    });
  }

  /** git smart HTTP through the real `git http-backend` CGI. */
  private git(req: IncomingMessage, res: ServerResponse, url: URL, gitEnv: NodeJS.ProcessEnv): void {
    const cgi = serveGitCgi(req, res, {
      root: this.gitRoot,
      pathInfo: decodeURIComponent(url.pathname.slice('/git'.length)),
      user: 'attacker',
      env: gitEnv,
    });
    this.cgis.add(cgi);
    cgi.once('close', () => this.cgis.delete(cgi));
  }

  /** A position in what was received, to count what arrives after it. */
  mark(): AttackerStats {
    return this.stats();
  }

  stats(): AttackerStats {
    return { connections: this.conns.length, requests: this.requests.length, bytes: this.bytes };
  }

  /**
   * What was received (since a mark, or all of it), scanned with the matcher, which knows every encoded form of every
   * canary: each connection's bytes, each request's decoded URL and body, each pushed pack's inflated objects.
   */
  scanReceived(matcher: Matcher, since?: AttackerStats): { scannedBytes: number; findings: LeakFinding[] } {
    const findings: LeakFinding[] = [];
    let scannedBytes = 0;
    const add = (h: { canaryId: string; label: string; variant: string }, where: string): void => {
      if (!findings.some((f) => f.canaryId === h.canaryId && f.in === where))
        findings.push({ canaryId: h.canaryId, label: h.label, variant: h.variant, in: where });
    };
    const scan = (bytes: Buffer, where: string): void => {
      scannedBytes += bytes.length;
      for (const h of matcher.scan(bytes)) add(h, where);
    };
    this.conns.forEach((c, i) => {
      if (i >= (since?.connections ?? 0)) scan(Buffer.concat(c.chunks), `connection ${i + 1}`);
    });
    this.requests.forEach((r, i) => {
      if (i < (since?.requests ?? 0)) return;
      const where = `request ${i + 1} (${r.method})`;
      scan(percentDecode(r.url), `${where} url`);
      let body = r.body;
      const enc = String(r.headers['content-encoding'] ?? '').toLowerCase().trim();
      if (enc) {
        const decoded = lenientDecode(body, enc);
        if (decoded) {
          scan(decoded, `${where} decoded body`);
          body = decoded;
        }
      }
      if (/git-receive-pack-request/.test(String(r.headers['content-type'] ?? '')) && body.length > 0) {
        const packScanner = new GitPackScanner(matcher);
        try {
          for (const h of packScanner.write(body)) add(h, `${where} pushed pack`);
          for (const h of packScanner.end()) add(h, `${where} pushed pack`);
        } catch {
          // a pack cut short: what parsed was scanned; the repository check covers anything git stored
        }
      }
    });
    return { scannedBytes, findings };
  }

  /** Everything received plus every object in the attacker's repository. */
  async leakCheck(matcher: Matcher, gitEnv: NodeJS.ProcessEnv): Promise<LeakReport> {
    const { scannedBytes, findings } = this.scanReceived(matcher);
    const bare = path.join(this.gitRoot, REPO_NAME);
    const objs = await run('git', ['-C', bare, 'cat-file', '--batch-all-objects', '--batch'], { env: gitEnv });
    const listed = await run('git', ['-C', bare, 'cat-file', '--batch-all-objects', '--batch-check'], { env: gitEnv });
    const repoObjects = listed.stdout.toString('utf8').split('\n').filter((l) => l.trim() !== '').length;
    for (const h of matcher.scan(objs.stdout)) {
      if (!findings.some((f) => f.canaryId === h.canaryId && f.in === 'attacker git repository'))
        findings.push({ canaryId: h.canaryId, label: h.label, variant: h.variant, in: 'attacker git repository' });
    }
    return { scannedBytes: scannedBytes + objs.stdout.length, findings, repoObjects };
  }

  async close(): Promise<void> {
    for (const c of this.cgis) c.kill('SIGKILL');
    for (const s of this.sockets) s.destroy();
    this.app.closeAllConnections();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
