// GRITH_HOME resolution and home creation (mode 0700 regardless of umask).
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HomeNotFolderError, HomeUnsafeError } from '../../../src/core/errors.js';
import { assertHomeSafe, caDir, ensureHome, eventsPath, homeProblem, resolveHome, storePath } from '../../../src/store/home.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'grith-home-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveHome', () => {
  it('uses GRITH_HOME, made absolute', () => {
    expect(resolveHome({ GRITH_HOME: '/x/y' })).toBe('/x/y');
    expect(resolveHome({ GRITH_HOME: 'rel/h' })).toBe(path.resolve('rel/h'));
  });
  it('falls back to ~/.grith when unset or blank', () => {
    expect(resolveHome({})).toBe(path.join(homedir(), '.grith'));
    expect(resolveHome({ GRITH_HOME: '  ' })).toBe(path.join(homedir(), '.grith'));
  });
  it('names the files inside the home', () => {
    expect(storePath('/h')).toBe('/h/store.json');
    expect(eventsPath('/h')).toBe('/h/events.jsonl');
    expect(caDir('/h')).toBe('/h/ca');
  });
});

describe('ensureHome', () => {
  it('creates missing parents and sets 0700 even with a permissive umask', async () => {
    const home = path.join(dir, 'a', 'b', '.grith');
    const old = process.umask(0o000);
    try {
      expect(await ensureHome(home)).toBe(true);
    } finally {
      process.umask(old);
    }
    expect((await stat(home)).mode & 0o777).toBe(0o700);
  });
  it('leaves an existing folder and its mode alone', async () => {
    await chmod(dir, 0o750);
    expect(await ensureHome(dir)).toBe(false);
    expect((await stat(dir)).mode & 0o777).toBe(0o750);
  });
  it('regression: a home that is a file is one clear line, not a raw EEXIST', async () => {
    const f = path.join(dir, 'file');
    await writeFile(f, 'x');
    const err = await ensureHome(f).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HomeNotFolderError);
    expect((err as Error).message).toBe(`grith home ${f} is a file, not a folder`);
    expect((err as Error).message).not.toContain('EEXIST');
    expect((err as HomeNotFolderError).hint).toMatch(/GRITH_HOME/);
  });
  it('a home below a file names the file in the way', async () => {
    const f = path.join(dir, 'file');
    await writeFile(f, 'x');
    const err = await ensureHome(path.join(f, 'sub', '.grith')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HomeNotFolderError);
    expect((err as Error).message).toContain(`${f} is a file`);
    await expect(assertHomeSafe(path.join(f, 'sub'))).rejects.toBeInstanceOf(HomeNotFolderError);
  });
});

describe('a home others can write is refused (like ssh with a key others can write)', () => {
  it.each([0o777, 0o770, 0o702, 0o1777])('mode %o is refused with a chmod hint; nothing in it is touched', async (mode) => {
    await writeFile(path.join(dir, 'store.json'), 'keep');
    await chmod(dir, mode);
    const err = await ensureHome(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HomeUnsafeError);
    expect((err as HomeUnsafeError).code).toBe('HOME_UNSAFE');
    expect((err as Error).message).toMatch(/is writable by (group|others|group and others) \(mode \d{4}\)/);
    expect((err as HomeUnsafeError).hint).toBe(`chmod 700 ${dir}, or run grith doctor --fix`);
    await expect(assertHomeSafe(dir)).rejects.toBeInstanceOf(HomeUnsafeError);
    expect((await stat(dir)).mode & 0o7777).toBe(mode);
  });
  it('0700, 0750 and 0755 are accepted; a missing home is fine (created 0700 later)', async () => {
    for (const mode of [0o700, 0o750, 0o755]) {
      await chmod(dir, mode);
      await expect(assertHomeSafe(dir)).resolves.toBeUndefined();
    }
    await expect(assertHomeSafe(path.join(dir, 'absent'))).resolves.toBeUndefined();
  });
  it('a home owned by another user is refused; one owned by root or by us is not', async () => {
    const st = await stat(dir);
    expect(homeProblem(dir, { ...st, isDirectory: () => true, uid: 4242, mode: st.mode } as never, 1000)).toBeInstanceOf(HomeUnsafeError);
    expect(homeProblem(dir, { ...st, isDirectory: () => true, uid: 0, mode: 0o40700 } as never, 1000)).toBeNull();
    expect(homeProblem(dir, { ...st, isDirectory: () => true, uid: 1000, mode: 0o40700 } as never, 1000)).toBeNull();
  });
});
