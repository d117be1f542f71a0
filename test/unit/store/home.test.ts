// GRITH_HOME resolution and home creation (mode 0700 regardless of umask).
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/core/errors.js';
import { caDir, ensureHome, eventsPath, resolveHome, storePath } from '../../../src/store/home.js';

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
  it('refuses a home that is a file', async () => {
    const f = path.join(dir, 'file');
    await writeFile(f, 'x');
    await expect(ensureHome(f)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
