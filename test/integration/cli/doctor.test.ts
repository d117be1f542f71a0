// grith doctor on this machine: one line per requirement, exit 0 only when nothing a session needs is missing,
// --fix tightens modes without deleting anything, sinks probed without sending them anything, and the user
// namespace check really creates one (also as an unprivileged user).
import { spawn, spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, grith, REPO, tempHome, type CliResult } from '../../support/cli.js';

interface Check {
  id: string;
  title: string;
  status: 'ok' | 'missing' | 'warn';
  detail: string;
  fix?: string;
}
interface Report {
  ok: boolean;
  checks: Check[];
  fixes?: { action: string; ok: boolean }[];
}

function report(r: CliResult): Report {
  const rep = JSON.parse(r.stdout) as Report;
  expect(r.code, r.stderr).toBe(rep.ok ? 0 : 1);
  expect(rep.ok).toBe(rep.checks.every((c) => c.status !== 'missing'));
  return rep;
}

function check(rep: Report, id: string): Check {
  const c = rep.checks.find((x) => x.id === id);
  expect(c, `no check ${id} in ${rep.checks.map((x) => x.id).join(',')}`).toBeDefined();
  return c!;
}

const REQUIRED_IDS = ['node', 'fuse-device', 'fusermount', 'libfuse2', 'fuse-binding', 'exec-guard', 'pty', 'bwrap', 'userns', 'home', 'store', 'ca'];

describe('grith doctor', () => {
  it('checks every requirement, one line each; the exit status says whether a session can run', async () => {
    const home = await tempHome();
    const rep = report(await grith(['doctor', '--json'], { home }));
    for (const id of REQUIRED_IDS) expect(['ok', 'missing', 'warn']).toContain(check(rep, id).status);
    for (const c of rep.checks) if (c.status !== 'ok') expect(c.fix, c.id).toBeTruthy();
    // ./run built the native parts of this clone.
    for (const id of ['node', 'fuse-binding', 'exec-guard', 'pty']) expect(check(rep, id).status, check(rep, id).detail).toBe('ok');
    expect(check(rep, 'exec-guard').detail).toContain(path.join(REPO, 'native/execguard/build/libgrith-execguard.so'));
    expect(check(rep, 'sinks').detail).toMatch(/none configured/);

    const text = await grith(['doctor'], { home });
    expect(text.code).toBe(rep.ok ? 0 : 1);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(rep.checks.length + 2); // heading, one line per check, verdict
    for (const l of lines.slice(1, -1)) expect(l).toMatch(/^(ok|missing|warn) +\S/);
    expect(lines.at(-1)).toMatch(rep.ok ? /^everything a grith session needs is there$/ : /requirements? missing/);
  });

  it('no bubblewrap on PATH: missing, with the apt-get line; the namespace check falls back to unshare -U', async () => {
    const home = await tempHome();
    const bin = await mkdtemp(path.join(os.tmpdir(), 'grith-doctor-bin-'));
    try {
      for (const p of [process.execPath, '/usr/bin/unshare', '/usr/bin/fusermount3', '/usr/bin/fusermount']) await symlink(p, path.join(bin, path.basename(p)));
      const rep = report(await grith(['doctor', '--json'], { home, env: { PATH: bin } }));
      expect(check(rep, 'bwrap')).toMatchObject({ status: 'missing', fix: `${process.getuid?.() === 0 ? '' : 'sudo '}apt-get install -y bubblewrap` });
      expect(check(rep, 'userns').detail).toContain('unshare -U');
      expect(rep.ok).toBe(false);
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  it('no FUSE device: missing, with how to get one', async () => {
    const home = await tempHome();
    const rep = report(await grith(['doctor', '--json'], { home, env: { GRITH_FUSE_DEVICE: '/nonexistent/fuse' } }));
    expect(check(rep, 'fuse-device')).toMatchObject({ status: 'missing', detail: '/nonexistent/fuse is missing' });
    expect(check(rep, 'fuse-device').fix).toMatch(/modprobe fuse/);
    expect(rep.ok).toBe(false);
  });

  it('--fix tightens the home and the CA key modes and leaves a corrupt store and a key-less CA as they are', async () => {
    const home = await tempHome();
    expect((await grith(['canary', 'add', '--format', 'aws', '--decoy', '.aws/credentials'], { home })).code).toBe(0);
    expect((await grith(['proxy', 'ca'], { home })).code).toBe(0);
    const store = await readFile(path.join(home, 'store.json'), 'utf8');
    const key = path.join(home, 'ca', 'grith-ca.key');
    await chmod(home, 0o777);
    await chmod(key, 0o644);
    let rep = report(await grith(['doctor', '--json'], { home }));
    expect(check(rep, 'home')).toMatchObject({ status: 'missing' });
    expect(check(rep, 'home').detail).toMatch(/writable by group and others \(mode 0777\)/);
    expect(check(rep, 'ca').detail).toMatch(/mode 0644: others may read it/);
    expect(check(rep, 'store').detail).toMatch(/1 canary, schema grith\.store v1/);

    rep = report(await grith(['doctor', '--fix', '--json'], { home }));
    expect(rep.fixes?.map((f) => f.action)).toEqual([`chmod 700 ${home}`, `chmod 600 ${key}`]);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    expect(check(rep, 'home').status).toBe('ok');
    expect(check(rep, 'ca').detail).toMatch(/key mode 0600, expires \d{4}-/);
    expect(await readFile(path.join(home, 'store.json'), 'utf8')).toBe(store);

    await writeFile(path.join(home, 'store.json'), '{"broken');
    await rm(key);
    rep = report(await grith(['doctor', '--fix', '--json'], { home }));
    expect(check(rep, 'store')).toMatchObject({ status: 'missing' });
    expect(check(rep, 'store').detail).toMatch(/not valid JSON/);
    expect(check(rep, 'ca')).toMatchObject({ status: 'missing', fix: 'grith proxy ca --renew (then re-trust the new certificate)' });
    expect(await readFile(path.join(home, 'store.json'), 'utf8')).toBe('{"broken');
    await expect(stat(key)).rejects.toThrow();
  });

  it('alert sinks: each webhook probed without being sent anything; an unreachable one warns but does not fail', async () => {
    const home = await tempHome();
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests++;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    try {
      const up = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=receiver-secret`;
      expect((await grith(['alerts', 'add-webhook', up], { home })).code).toBe(0);
      expect((await grith(['alerts', 'add-webhook', `http://127.0.0.1:${closedPort}/down`], { home })).code).toBe(0);
      const r = await grith(['doctor', '--json'], { home });
      const rep = report(r);
      const sinks = rep.checks.filter((c) => c.id.startsWith('sink.webhook.'));
      expect(sinks).toHaveLength(2);
      expect(sinks[0]).toMatchObject({ status: 'ok', title: `webhook ${up.replace(/\?.*/, '')}` });
      expect(sinks[1]).toMatchObject({ status: 'warn' });
      expect(sinks[1]!.detail).toMatch(/not reachable: ECONNREFUSED/);
      expect(r.stdout).not.toContain('receiver-secret');
      expect(requests).toBe(0);
    } finally {
      await new Promise<void>((res) => server.close(() => res()));
    }
  });

  it.skipIf(process.getuid?.() !== 0)('as an unprivileged user: the namespace check matches what bwrap really does for that user', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'grith-doctor-user-'));
    const nobody = 65534;
    try {
      await chmod(base, 0o755);
      const home = path.join(base, 'home');
      await mkdir(home, { mode: 0o700 });
      await chown(home, nobody, nobody);
      const child = spawn(process.execPath, [BIN, 'doctor', '--json'], {
        uid: nobody,
        gid: nobody,
        cwd: base,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: base, GRITH_HOME: home, NO_COLOR: '1' },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
      const rep = JSON.parse(out) as Report;
      expect(code).toBe(rep.ok ? 0 : 1);
      const bwrap = spawnSync('bwrap', ['--unshare-user', '--ro-bind', '/', '/', 'true'], { uid: nobody, gid: nobody });
      if (bwrap.error) expect(check(rep, 'bwrap').status).toBe('missing');
      else expect(check(rep, 'userns').status).toBe(bwrap.status === 0 ? 'ok' : 'missing');
      expect(check(rep, 'home')).toMatchObject({ status: 'ok' });
      // The FUSE device and fusermount3 are checked for this user, not for root.
      const dev = spawnSync('test', ['-r', '/dev/fuse', '-a', '-w', '/dev/fuse'], { uid: nobody, gid: nobody });
      expect(check(rep, 'fuse-device').status).toBe(dev.status === 0 ? 'ok' : 'missing');
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
