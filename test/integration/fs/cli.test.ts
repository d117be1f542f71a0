// `grith mount` / `grith unmount` as a user runs them: real binary, real store, real event log, real faults.
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';

// Each case starts the real CLI several times (about a second each, more on a busy machine).
vi.setConfig({ testTimeout: 120_000 });
import { forceUnmount, isMounted, mountState } from '../../../src/guards/fs/mount-table.js';
import { ensureBuilt, grith, startMountProc, type MountProc } from '../../support/fs/cli.js';
import { run } from '../../support/fs/harness.js';

let base: string;
let home: string;
let src: string;
let mnt: string;
const procs: MountProc[] = [];

beforeAll(async () => {
  await ensureBuilt();
}, 200_000);

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'grith-cli-'));
  home = join(base, 'home');
  src = join(base, 'src');
  mnt = join(base, 'mnt');
  await mkdir(src);
  await mkdir(mnt);
  await writeFile(join(src, 'README.md'), '# hi\n');
});

afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
    await p.exited;
  }
  if (await isMounted(mnt)) await forceUnmount(mnt);
  await rm(base, { recursive: true, force: true }).catch(() => undefined);
});

afterAll(async () => {
  for (const p of procs) p.proc.kill('SIGKILL');
});

async function mount(args: string[] = []): Promise<MountProc> {
  const p = await startMountProc(home, [src, mnt, ...args]);
  procs.push(p);
  return p;
}

async function events(): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(home, 'events.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

async function waitFor<T>(f: () => Promise<T | undefined | false>, ms = 5000): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) return undefined;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function addCanaryAt(h: string, args: string[]): Promise<void> {
  const r = await grith(h, ['canary', 'add', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
}

async function addCanary(args: string[]): Promise<{ id: string; value: string }> {
  const r = await grith(home, ['canary', 'add', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const { id } = JSON.parse(r.stdout);
  const shown = JSON.parse((await grith(home, ['canary', 'show', id, '--reveal', '--json'])).stdout);
  return { id, value: shown.value };
}

describe('grith mount (real binary)', () => {
  test('serves decoys from the store, records reads with pid in events.jsonl, lists and unmounts', async () => {
    const c = await addCanary(['--format', 'aws', '--decoy', '.aws/credentials', '--label', 'cli-aws']);
    const p = await mount();
    expect(p.ready).toMatchObject({ mountpoint: mnt, source: src, decoys: ['.aws/credentials'] });
    const r = await run('bash', ['-c', 'cat "$1/.aws/credentials" & echo $!; wait', 'bash', mnt], { cwd: base });
    const [pid, ...content] = r.stdout.split('\n');
    expect(content.join('\n')).toContain(c.value);
    const ev = await waitFor(async () => (await events()).find((e) => e.kind === 'canary.read' && e.pid === Number(pid)));
    expect(ev).toMatchObject({ guard: 'fs', action: 'alert', canaryId: c.id, label: 'cli-aws', where: join(mnt, '.aws/credentials') });
    expect(JSON.stringify(await events())).not.toContain(c.value);

    const list = JSON.parse((await grith(home, ['mount', '--list', '--json'])).stdout);
    expect(list.mounts).toEqual([expect.objectContaining({ mountpoint: mnt, state: 'active', pid: p.proc.pid })]);

    const u = await grith(home, ['unmount', mnt]);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toMatch(/stopped/);
    expect(await p.exited).toBe(0);
    expect(await isMounted(mnt)).toBe(false);
    expect((await grith(home, ['mount', '--list', '--json'])).stdout).toContain('"mounts": []');
    expect((await events()).map((e) => e.kind)).toEqual(expect.arrayContaining(['guard.started', 'guard.stopped']));
    expect(await readdir(src)).toEqual(['README.md']); // no decoy reached SOURCE
  });

  test('store changes reach a running mount: add -> decoy appears, remove -> it vanishes', async () => {
    await mount();
    const c = await addCanary(['--format', 'npm', '--decoy', '.npmrc']);
    const t0 = Date.now(); // from the moment the store holds the canary
    const appeared = await waitFor(async () => (await readFile(join(mnt, '.npmrc'), 'utf8').catch(() => '')).includes(c.value), 8000);
    const tAppear = Date.now() - t0;
    expect(appeared).toBe(true);
    expect((await grith(home, ['canary', 'remove', c.id])).code).toBe(0);
    const t1 = Date.now();
    const gone = await waitFor(async () => !(await stat(join(mnt, '.npmrc')).catch(() => null)), 8000);
    const tGone = Date.now() - t1;
    expect(gone).toBe(true);
    // About a second each: store watch, then (for removal) the kernel's 1 s entry cache. Bounded loosely: CI is noisy.
    expect(tAppear).toBeLessThan(4000);
    expect(tGone).toBeLessThan(4000);
    console.log(`decoy appeared ${tAppear} ms after canary add returned, vanished ${tGone} ms after canary remove returned`);
  });

  test('a canary written outside the zone is denied and logged with guard fs, action deny', async () => {
    const c = await addCanary(['--format', 'github-pat']);
    await mkdir(join(src, 'work'));
    await mount(['--zone', 'work']);
    const r = await run('bash', ['-c', 'printf %s "$2" > "$1/leak.txt"; echo "rc=$?"; printf %s "$2" > "$1/work/ok.txt"; echo "rc=$?"', 'bash', mnt, c.value], { cwd: base });
    expect(r.stdout.trim().split('\n')).toEqual(['rc=1', 'rc=0']);
    // The refused write's file is not left behind empty in SOURCE.
    expect(existsSync(join(src, 'leak.txt'))).toBe(false);
    const ev = await waitFor(async () => (await events()).find((e) => e.kind === 'canary.fired' && e.action === 'deny'));
    expect(ev).toMatchObject({ guard: 'fs', canaryId: c.id, where: join(mnt, 'leak.txt') });
    // Issue 14: a mount on its own said nothing when it blocked a canary; it prints the session banner on stderr.
    const m = procs.at(-1)!;
    await waitFor(async () => /CANARY FIRED \[fs\] write denied/.test(m.output()) || undefined);
    expect(m.output()).toMatch(/grith ▲ CANARY FIRED \[fs\] write denied: canary "[^"]+" \(fp [0-9a-f]{12}, plain\) at .*leak\.txt/);
    expect(m.output()).not.toContain(c.value);
    expect((await grith(home, ['events', '--verify'])).code).toBe(0);
  });

  test("grith's home inside SOURCE is invisible in the mount and cannot be replaced", async () => {
    const inner = join(src, '.grith');
    await addCanaryAt(inner, ['--format', 'github-pat', '--decoy', '.env']);
    const p = await startMountProc(inner, [src, mnt]);
    procs.push(p);
    const r = await run(
      'bash',
      ['-c', 'ls -A "$1"; test -e "$1/.grith" && echo visible; mkdir "$1/.grith" 2>/dev/null || echo mkdir-refused; cat "$1/.grith/store.json" 2>/dev/null || echo unreadable', 'bash', mnt],
      { cwd: base },
    );
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(['.env', 'README.md', 'mkdir-refused', 'unreadable']);
  });

  test('SIGTERM unmounts cleanly', async () => {
    const p = await mount();
    p.proc.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(await isMounted(mnt)).toBe(false);
    expect(p.output()).toContain('"unmounted"');
  });

  test('kill -9: grith unmount cleans the dead mount, a new mount cleans it too, and SOURCE lost no byte', async () => {
    const p = await mount();
    const w = await run(
      'python3',
      ['-c', `import os\nfor i in range(20):\n    fd=os.open('${mnt}/f%d.bin' % i, os.O_WRONLY|os.O_CREAT)\n    os.write(fd, os.urandom(100000+i)); os.fsync(fd); os.close(fd)\nprint('ok')`],
      { cwd: base },
    );
    expect(w.stdout.trim()).toBe('ok');
    const hashes = async (dir: string) => {
      const out: Record<string, string> = {};
      for (const n of (await readdir(dir)).sort()) out[n] = createHash('sha256').update(await readFile(join(dir, n))).digest('hex');
      return out;
    };
    const throughMount = await hashes(mnt);
    p.proc.kill('SIGKILL');
    await p.exited;
    expect(await mountState(mnt)).toBe('dead');
    const u = await grith(home, ['unmount', mnt]);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toMatch(/detached/);
    expect(await isMounted(mnt)).toBe(false);
    expect(await hashes(src)).toEqual(throughMount);

    // Again, and this time the next `grith mount` is what cleans up.
    const p2 = await mount();
    p2.proc.kill('SIGKILL');
    await p2.exited;
    expect(await mountState(mnt)).toBe('dead');
    const p3 = await mount();
    expect(p3.ready.cleanedStale).toBe(true);
    expect(await hashes(mnt)).toEqual(throughMount);
  });
});

describe('faults: one clear line, non-zero exit', () => {
  const oneLine = (r: { code: number | null; stderr: string }, re: RegExp) => {
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(re);
  };

  test('SOURCE missing', async () => {
    oneLine(await grith(home, ['mount', join(base, 'nope'), mnt]), /^grith: source .*nope does not exist/);
  });

  test('mountpoint not empty, or missing', async () => {
    await writeFile(join(mnt, 'x'), 'x');
    oneLine(await grith(home, ['mount', src, mnt]), /^grith: mountpoint .* is not empty/);
    oneLine(await grith(home, ['mount', src, join(base, 'nomnt')]), /^grith: mountpoint .* does not exist/);
  });

  test('mountpoint busy (already mounted)', async () => {
    await mount();
    oneLine(await grith(home, ['mount', src, mnt]), /^grith: mountpoint .* is busy/);
  });

  test('no FUSE device', async () => {
    const r = await grith(home, ['mount', src, mnt, '--json'], { GRITH_FUSE_DEVICE: join(base, 'no-fuse') });
    expect(r.code).not.toBe(0);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'FUSE_UNAVAILABLE' });
    oneLine(await grith(home, ['mount', src, mnt], { GRITH_FUSE_DEVICE: join(base, 'no-fuse') }), /^grith: FUSE is not available/);
  });

  test('unmount of something not mounted', async () => {
    oneLine(await grith(home, ['unmount', mnt]), /^grith: nothing is mounted at/);
  });
});
