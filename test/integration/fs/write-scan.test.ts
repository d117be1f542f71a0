// Every write is judged with the bytes around it: whole, one byte at a time, out of order, overlapping, encoded;
// outside the zone it is denied and SOURCE keeps its bytes, inside it is an alert (or denied by policy).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { StoreCorruptError } from '../../../src/core/errors.js';
import { startMount, run, type Harness } from '../../support/fs/harness.js';
import { makeCanary } from '../../support/canaries.js';

const canary = makeCanary({ format: 'github-pat', decoys: [], label: 'gh-write' });
const T = canary.value;

/** Python that performs writes on MNT/<rel> and prints OK or the errno name for each step. */
function py(rel: string, body: string, mnt: string): string {
  return `import os, errno, base64
p='${mnt}/${rel}'
T=b'${T}'
def step(name, f):
    try:
        f(); print(name, 'OK')
    except OSError as e: print(name, errno.errorcode[e.errno])
${body}`;
}

describe('zone alert (default policy), zone = work', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startMount({ canaries: [canary], zones: ['work'] });
    await mkdir(join(h.src, 'work'));
    await mkdir(join(h.src, 'out'));
  });
  afterAll(async () => {
    await h?.close();
  });
  const pyRun = async (rel: string, body: string) => (await run('python3', ['-c', py(rel, body, h.mnt)], { cwd: h.base })).stdout.trim().split('\n');
  const denied = (rel: string) => h.ctx.waitFor((e) => e.kind === 'canary.fired' && e.action === 'deny' && e.where === join(h.mnt, rel));

  test('a whole write outside the zone: EACCES, SOURCE keeps its bytes, canary.fired deny with path and pid', async () => {
    await writeFile(join(h.src, 'out/a.txt'), 'previous content\n');
    const r = await h.sh(`printf 'token=%s\\n' "${T}" >> out/a.txt & pid=$!; wait $pid; echo "rc=$? pid=$pid"`);
    const [, rc, pid] = /rc=(\d+) pid=(\d+)/.exec(r.stdout)!;
    expect(rc).not.toBe('0');
    expect(await readFile(join(h.src, 'out/a.txt'), 'utf8')).toBe('previous content\n');
    const [ev] = await denied('out/a.txt');
    expect(ev).toMatchObject({ guard: 'fs', action: 'deny', canaryId: canary.id, label: 'gh-write', variant: 'plain', pid: Number(pid) });
    expect(JSON.stringify(h.ctx.events)).not.toContain(T);
  });

  test('one byte at a time: the byte completing the canary (or its 16+ character core) is refused', async () => {
    const out = await pyRun(
      'out/bytes.txt',
      `fd=os.open(p, os.O_WRONLY|os.O_CREAT)
for i in range(len(T)):
    try: os.write(fd, T[i:i+1])
    except OSError as e:
        print(i, errno.errorcode[e.errno]); break`,
    );
    const [idx, code] = out[0].split(' ');
    expect(code).toBe('EACCES');
    const k = Number(idx);
    expect(k).toBeGreaterThanOrEqual(16);
    expect(k).toBeLessThan(T.length);
    expect(await readFile(join(h.src, 'out/bytes.txt'), 'utf8')).toBe(T.slice(0, k));
    await denied('out/bytes.txt');
  });

  test('out of order: the second half first, then the first half', async () => {
    const out = await pyRun(
      'out/ooo.txt',
      `fd=os.open(p, os.O_WRONLY|os.O_CREAT)
h=len(T)//2
step('tail', lambda: os.pwrite(fd, T[h:], 100+h))
step('head', lambda: os.pwrite(fd, T[:h], 100))`,
    );
    expect(out).toEqual(['tail OK', 'head EACCES']);
    const disk = await readFile(join(h.src, 'out/ooo.txt'));
    expect(disk.includes(Buffer.from(T))).toBe(false);
    expect(disk.subarray(100).toString('latin1').replace(/\0/g, '')).toBe(T.slice(T.length / 2 | 0));
    await denied('out/ooo.txt');
  });

  test('overlapping: a copy with every 8th byte corrupted, then one write over the corrupted stretch', async () => {
    const out = await pyRun(
      'out/overlap.txt',
      `fd=os.open(p, os.O_WRONLY|os.O_CREAT)
bad=bytearray(T)
for i in range(11, len(T), 8): bad[i]=ord('#')
step('corrupt', lambda: os.pwrite(fd, bytes(bad), 0))
step('fix', lambda: os.pwrite(fd, T[9:len(T)-2], 9))`,
    );
    expect(out).toEqual(['corrupt OK', 'fix EACCES']);
    expect((await readFile(join(h.src, 'out/overlap.txt'), 'utf8'))[11]).toBe('#');
  });

  test('encoded forms are caught too (base64 inside other text)', async () => {
    const out = await pyRun('out/b64.txt', `fd=os.open(p, os.O_WRONLY|os.O_CREAT)\nstep('b64', lambda: os.write(fd, b'xx' + base64.b64encode(T) + b'\\n'))`);
    expect(out).toEqual(['b64 EACCES']);
    const [ev] = await denied('out/b64.txt');
    expect(ev.variant).toBe('base64');
  });

  test('inside the zone: allowed, recorded as an alert (canary staged)', async () => {
    const r = await h.sh(`printf '%s\\n' "${T}" > work/staged.txt && echo ok`);
    expect(r.stdout.trim()).toBe('ok');
    expect(await readFile(join(h.src, 'work/staged.txt'), 'utf8')).toBe(T + '\n');
    const evs = await h.ctx.waitFor((e) => e.action === 'alert' && e.where === join(h.mnt, 'work/staged.txt'));
    expect(evs[0]).toMatchObject({ kind: 'canary.fired', canaryId: canary.id });
    expect(evs[0].message).toMatch(/staged/);
  });

  test('moving canary content out of the zone is denied like a write (rename, link, copy)', async () => {
    await writeFile(join(h.src, 'work/carry.txt'), `x=${T}\n`);
    await writeFile(join(h.src, 'work/clean.txt'), 'nothing here\n');
    const out = await pyRun(
      'work/carry.txt',
      `m='${h.mnt}'
step('rename', lambda: os.rename(m+'/work/carry.txt', m+'/out/carry.txt'))
step('link', lambda: os.link(m+'/work/carry.txt', m+'/out/carry-link.txt'))
step('rename-dir', lambda: os.rename(m+'/work', m+'/out/work'))
fd=os.open(m+'/out/copy.txt', os.O_WRONLY|os.O_CREAT)
step('copy', lambda: os.write(fd, open(m+'/work/carry.txt','rb').read()))
step('rename-clean', lambda: os.rename(m+'/work/clean.txt', m+'/out/clean.txt'))
step('rename-within', lambda: os.rename(m+'/work/carry.txt', m+'/work/moved.txt'))`,
    );
    expect(out).toEqual(['rename EACCES', 'link EACCES', 'rename-dir EACCES', 'copy EACCES', 'rename-clean OK', 'rename-within OK']);
    expect(await readFile(join(h.src, 'work/moved.txt'), 'utf8')).toBe(`x=${T}\n`);
    // The copy's only write was refused: the file it created is not left behind empty.
    expect(existsSync(join(h.src, 'out/copy.txt'))).toBe(false);
  });

  test('hard links across the zone border: refused as EXDEV; an existing one makes in-zone writes count as outside', async () => {
    await writeFile(join(h.src, 'work/shared.txt'), 'clean\n');
    await run('ln', [join(h.src, 'work/shared.txt'), join(h.src, 'out/shared.txt')], { cwd: h.base });
    await writeFile(join(h.src, 'work/solo.txt'), 'clean\n');
    const out = await pyRun(
      'work/shared.txt',
      `m='${h.mnt}'
step('link-clean', lambda: os.link(m+'/work/solo.txt', m+'/out/solo.txt'))
step('link-in', lambda: os.link(m+'/out/shared.txt', m+'/work/other.txt'))
fd=os.open(p, os.O_WRONLY|os.O_APPEND)
step('write-aliased', lambda: os.write(fd, T))`,
    );
    expect(out).toEqual(['link-clean EXDEV', 'link-in EXDEV', 'write-aliased EACCES']);
    expect(await readFile(join(h.src, 'out/shared.txt'), 'utf8')).toBe('clean\n');
    const [ev] = await denied('work/shared.txt');
    expect(ev.detail).toMatchObject({ hardLinked: true });
  });

  test('a token in a file name or symlink target outside the zone is denied', async () => {
    const out = await pyRun(
      'out',
      `m='${h.mnt}'
step('create', lambda: open(m+'/out/'+T.decode(), 'w'))
step('mkdir', lambda: os.mkdir(m+'/out/d-'+T.decode()))
step('symlink', lambda: os.symlink('/x/'+T.decode(), m+'/out/lnk'))
step('inside', lambda: open(m+'/work/'+T.decode(), 'w'))`,
    );
    expect(out).toEqual(['create EACCES', 'mkdir EACCES', 'symlink EACCES', 'inside OK']);
    expect(JSON.stringify(h.ctx.events)).not.toContain(T);
  });

  test('a loop retrying a denied write is refused every time, but its events are capped per second', async () => {
    const before = h.ctx.events.filter((e) => e.where === join(h.mnt, 'out/loop.txt')).length;
    const t0 = Date.now();
    const out = await pyRun(
      'out/loop.txt',
      `fd=os.open(p, os.O_WRONLY|os.O_CREAT)
n=0
for i in range(200):
    try: os.write(fd, T)
    except OSError as e: n += e.errno == errno.EACCES
print(n)`,
    );
    expect(out).toEqual(['200']);
    const seconds = Math.ceil((Date.now() - t0) / 1000) + 1;
    await new Promise((r) => setTimeout(r, 300));
    const evs = h.ctx.events.filter((e) => e.where === join(h.mnt, 'out/loop.txt'));
    expect(evs.length - before).toBeGreaterThanOrEqual(1);
    expect(evs.length - before).toBeLessThanOrEqual(5 * seconds); // 5 per second at most, not 200
  });

  test('fail closed: with the store in error, every write is refused with a guard.error; reads go on', async () => {
    h.ctx.fail(new StoreCorruptError('/tmp/store.json', 'bad JSON'));
    try {
      const out = await pyRun('work/plain.txt', `step('write', lambda: os.write(os.open(p, os.O_WRONLY|os.O_CREAT), b'harmless'))\nstep('read', lambda: open('${h.mnt}/work/clean.txt' if os.path.exists('${h.mnt}/work/clean.txt') else '${h.mnt}/work/moved.txt').read())`);
      expect(out).toEqual(['write EACCES', 'read OK']);
      const evs = await h.ctx.waitFor((e) => e.kind === 'guard.error');
      expect(evs[0]).toMatchObject({ guard: 'fs', action: 'deny' });
      expect(evs[0].message).toMatch(/store\.json/);
    } finally {
      h.ctx.set([canary]);
    }
    expect((await pyRun('work/plain.txt', `step('write', lambda: os.write(os.open(p, os.O_WRONLY|os.O_CREAT), b'harmless'))`))[0]).toBe('write OK');
  });
});

describe('zone policy deny', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startMount({ canaries: [canary], zonePolicy: 'deny' });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('a canary is denied inside the zone as well; clean writes pass', async () => {
    const r = await h.sh(`printf '%s' "${T}" > leak.txt; echo "rc=$?"; printf clean > ok.txt; echo "rc=$?"`);
    expect(r.stdout.trim().split('\n')).toEqual(['rc=1', 'rc=0']);
    // Regression: the refused write left an empty leak.txt behind in SOURCE.
    expect(existsSync(join(h.src, 'leak.txt'))).toBe(false);
    expect(await readFile(join(h.src, 'ok.txt'), 'utf8')).toBe('clean');
    const evs = await h.ctx.waitFor((e) => e.kind === 'canary.fired');
    expect(evs[0]).toMatchObject({ action: 'deny', detail: expect.objectContaining({ inZone: true }) });
  });
});
