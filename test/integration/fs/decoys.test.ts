// Decoys in a real mount: served, stat'd like real credentials, read (recorded with the reader), never on disk,
// never offered to git, and not writable, movable or removable.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMount, run, type Harness } from '../../support/fs/harness.js';
import { makeCanary } from '../../support/canaries.js';

let h: Harness;
const gh = makeCanary({ format: 'github-pat', decoys: ['.env', 'config/db.env'], label: 'gh-decoy' });
const aws = makeCanary({ format: 'aws', decoys: ['.aws/credentials'], label: 'aws-decoy' });

beforeAll(async () => {
  h = await startMount({ canaries: [gh, aws] });
  await mkdir(join(h.src, 'config'));
  await writeFile(join(h.src, 'config/app.json'), '{}\n');
  await writeFile(join(h.src, 'README.md'), '# project\n');
});
afterAll(async () => {
  await h?.close();
});

const noLeak = () => {
  const all = JSON.stringify(h.ctx.events);
  for (const c of [gh, aws]) {
    expect(all).not.toContain(c.value);
    for (const v of Object.values(c.companions ?? {})) expect(all).not.toContain(v);
  }
};

describe('decoys', () => {
  test('are listed, merged with real folders, and look like real credential files', async () => {
    const r = await h.sh(`ls -A; echo ---; ls -A config; echo ---; ls -A .aws; echo ---
      stat -c '%F %a %u %s' .env .aws/credentials config/db.env; stat -c '%F' .aws; echo ---
      stat -c %Y .env; wc -c < .env`);
    expect(r.code).toBe(0);
    const [top, config, awsDir, stats, times] = r.stdout.split('---\n');
    expect(top.split('\n').filter(Boolean).sort()).toEqual(['.aws', '.env', 'README.md', 'config']);
    expect(config.split('\n').filter(Boolean).sort()).toEqual(['app.json', 'db.env']);
    expect(awsDir.trim()).toBe('credentials');
    const uid = process.getuid!();
    const lines = stats.trim().split('\n');
    for (const l of lines.slice(0, 3)) expect(l).toMatch(new RegExp(`^regular file 600 ${uid} \\d+$`));
    expect(lines[3]).toBe('directory');
    const [mtime, size] = times.trim().split('\n').map(Number);
    expect(mtime * 1000).toBeLessThan(Date.now() - 86_400_000); // an mtime in the past
    expect(Number(lines[0].split(' ').at(-1))).toBe(size); // stat size = bytes read
  });

  test('read the canary value, and each open records canary.read with the reader pid and command line', async () => {
    const r = await h.sh('cat .aws/credentials > "$BASE/out.txt" & echo $!; wait');
    expect(r.code).toBe(0);
    const pid = Number(r.stdout.trim());
    const content = (await run('cat', [join(h.base, 'out.txt')], { cwd: h.base })).stdout;
    expect(content).toContain(aws.value);
    const reads = await h.ctx.waitFor((e) => e.kind === 'canary.read' && e.pid === pid);
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({
      guard: 'fs',
      action: 'alert',
      canaryId: aws.id,
      label: 'aws-decoy',
      where: join(h.mnt, '.aws/credentials'),
      cmdline: 'cat .aws/credentials',
    });
    expect(reads[0].fingerprint).toMatch(/^[0-9a-f]{12}$/);
    noLeak();
  });

  test('SOURCE never holds a decoy', async () => {
    expect((await readdir(h.src)).sort()).toEqual(['README.md', 'config']);
    expect((await readdir(join(h.src, 'config'))).sort()).toEqual(['app.json']);
  });

  test('git status does not offer decoys for commit (info/exclude served with them); git add -f still can', async () => {
    const r = await h.sh(`set -e; git init -q -b main; git status --porcelain --untracked-files=all; echo ---
      git add -A; git commit -qm init; git ls-files; echo ---; git check-ignore .env config/db.env .aws/credentials`);
    expect(r.code, r.stderr).toBe(0);
    const [status, files, ignored] = r.stdout.split('---\n');
    expect(status.split('\n').filter(Boolean).sort()).toEqual(['?? README.md', '?? config/app.json']);
    expect(files.split('\n').filter(Boolean).sort()).toEqual(['README.md', 'config/app.json']);
    expect(ignored.split('\n').filter(Boolean).sort()).toEqual(['.aws/credentials', '.env', 'config/db.env']);
    // The real exclude file on disk is untouched.
    const real = (await run('cat', [join(h.src, '.git/info/exclude')], { cwd: h.base })).stdout;
    expect(real).not.toContain('grith');
  });

  test('writes to a decoy fail with EACCES and are recorded', async () => {
    const before = h.ctx.events.length;
    const py = `import os, errno
for flags in (os.O_WRONLY, os.O_RDWR, os.O_WRONLY|os.O_APPEND, os.O_WRONLY|os.O_TRUNC):
    try:
        os.open('${h.mnt}/.env', flags); print('opened')
    except OSError as e: print(errno.errorcode[e.errno])
try:
    os.truncate('${h.mnt}/.env', 0); print('truncated')
except OSError as e: print(errno.errorcode[e.errno])`;
    const r = await run('python3', ['-c', py], { cwd: h.base });
    expect(r.stdout.trim().split('\n')).toEqual(['EACCES', 'EACCES', 'EACCES', 'EACCES', 'EACCES']);
    const evs = await h.ctx.waitFor((e) => e.kind === 'canary.fired' && e.canaryId === gh.id, 5);
    expect(evs.length).toBeGreaterThanOrEqual(5);
    expect(h.ctx.events.slice(before).every((e) => e.action === 'deny' && e.guard === 'fs')).toBe(true);
    expect((await h.sh('cat .env')).stdout).toContain(gh.value);
  });

  test('rename, link and removal of a decoy fail with EPERM and are recorded', async () => {
    const py = `import os, errno
m='${h.mnt}'
for name, f in (('rename', lambda: os.rename(m+'/.env', m+'/stolen')), ('link', lambda: os.link(m+'/.env', m+'/stolen')),
                ('rename-over', lambda: os.rename(m+'/README.md', m+'/.env')), ('unlink', lambda: os.unlink(m+'/.env'))):
    try:
        f(); print(name, 'ok')
    except OSError as e: print(name, errno.errorcode[e.errno])`;
    const r = await run('python3', ['-c', py], { cwd: h.base });
    expect(r.stdout.trim().split('\n')).toEqual(['rename EPERM', 'link EPERM', 'rename-over EPERM', 'unlink EPERM']);
    const evs = await h.ctx.waitFor((e) => e.kind === 'canary.fired' && /rename|link|removal/.test(e.message ?? ''), 4);
    expect(evs.length).toBe(4);
    expect((await h.sh('test -f .env && test ! -e stolen && echo intact')).stdout.trim()).toBe('intact');
    noLeak();
  });

  test('store changes reach the mount: a new decoy appears, a removed one vanishes', async () => {
    const fresh = makeCanary({ format: 'npm', decoys: ['.npmrc'], label: 'npm-decoy' });
    h.ctx.set([gh, aws, fresh]);
    const appeared = await h.sh('for i in $(seq 50); do test -f .npmrc && break; sleep 0.05; done; cat .npmrc');
    expect(appeared.stdout).toContain(fresh.value);
    h.ctx.set([gh, aws]);
    const t0 = Date.now();
    const gone = await h.sh('for i in $(seq 60); do test -e .npmrc || break; sleep 0.05; done; test -e .npmrc && echo still || echo gone');
    expect(gone.stdout.trim()).toBe('gone');
    expect(Date.now() - t0).toBeLessThan(3500); // the kernel's 1 s entry/attr cache, plus slack
  });
});
