// CanaryStore on a real temp home: open semantics, locked atomic updates, id lookup, and refusal to touch a bad file.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyStoreDoc } from '../../../src/core/canary.js';
import {
  CanaryNotFoundError,
  HomeMissingError,
  InvalidInputError,
  StoreCorruptError,
  StoreLockTimeoutError,
  StoreUnavailableError,
} from '../../../src/core/errors.js';
import { CanaryStore } from '../../../src/store/canary-store.js';
import { storePath } from '../../../src/store/home.js';
import { makeCanary, sha256File, tempHome } from '../../support/store-fixtures.js';

let home: string;
let file: string;
beforeEach(async () => {
  home = await tempHome();
  file = storePath(home);
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('open', () => {
  it('create=false: a missing home or a missing store.json is HomeMissingError', async () => {
    await expect(CanaryStore.open(path.join(home, 'nope'), { create: false })).rejects.toBeInstanceOf(HomeMissingError);
    await expect(CanaryStore.open(home, { create: false })).rejects.toBeInstanceOf(HomeMissingError);
  });

  it('create=true: creates the home, reads as empty, writes nothing until the first update', async () => {
    const h = path.join(home, 'new-home');
    const store = await CanaryStore.open(h, { create: true });
    expect(await store.read()).toEqual(emptyStoreDoc());
    expect(await store.list()).toEqual([]);
    expect(await readdir(h)).toEqual([]);
    expect((await stat(h)).mode & 0o777).toBe(0o700);
  });
});

describe('update', () => {
  it('writes a 0600 JSON store atomically and returns what fn returns', async () => {
    const store = await CanaryStore.open(home, { create: true });
    const n = await store.update((doc) => {
      doc.canaries.push(makeCanary('abcd1111'), makeCanary('abcd2222'));
      return doc.canaries.length;
    });
    expect(n).toBe(2);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const onDisk = JSON.parse(await readFile(file, 'utf8'));
    expect(onDisk.schema).toBe('grith.store');
    expect(onDisk.version).toBe(1);
    expect(onDisk.canaries.map((c: { id: string }) => c.id)).toEqual(['abcd1111', 'abcd2222']);
    expect(await readdir(home)).toEqual(['store.json']); // no temp or lock files left
    // a second handle sees it (fresh read, no cache)
    const other = await CanaryStore.open(home, { create: false });
    expect((await other.list()).length).toBe(2);
  });

  it('concurrent updates in one process are serialized: nothing is lost', async () => {
    const store = await CanaryStore.open(home, { create: true });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        store.update(async (doc) => {
          await new Promise((r) => setTimeout(r, 1));
          doc.canaries.push(makeCanary(`id${String(i).padStart(4, '0')}`));
        }),
      ),
    );
    expect((await store.list()).length).toBe(30);
  });

  it('writes nothing when fn throws', async () => {
    const store = await CanaryStore.open(home, { create: true });
    await store.update((doc) => void doc.canaries.push(makeCanary('keep0001')));
    const before = await sha256File(file);
    await expect(
      store.update((doc) => {
        doc.canaries = [];
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await sha256File(file)).toBe(before);
  });

  it('refuses to write a document that is not a valid store', async () => {
    const store = await CanaryStore.open(home, { create: true });
    await store.update((doc) => void doc.canaries.push(makeCanary('keep0001')));
    const before = await sha256File(file);
    await expect(
      store.update((doc) => {
        (doc.canaries[0] as { value: unknown }).value = 42;
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.update((doc) => void doc.canaries.push(makeCanary('keep0001')))).rejects.toThrow(/duplicate id/);
    expect(await sha256File(file)).toBe(before);
  });

  it('does not rewrite the file when fn changes nothing', async () => {
    const store = await CanaryStore.open(home, { create: true });
    await store.update((doc) => void doc.canaries.push(makeCanary('keep0001')));
    const ino = (await stat(file)).ino;
    await store.update((doc) => doc.canaries.length);
    expect((await stat(file)).ino).toBe(ino);
  });

  it('gives up with StoreLockTimeoutError while another live process holds the lock', async () => {
    const store = await CanaryStore.open(home, { create: true, lock: { timeoutMs: 200 } });
    await writeFile(store.lockPath, JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), time: Date.now(), nonce: 'x' }));
    await expect(store.update((doc) => void doc.canaries.push(makeCanary('abcd1111')))).rejects.toBeInstanceOf(
      StoreLockTimeoutError,
    );
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('get', () => {
  it('finds by exact id or a unique prefix of 4+ characters', async () => {
    const store = await CanaryStore.open(home, { create: true });
    await store.update((doc) => void doc.canaries.push(makeCanary('k3x9ab2c'), makeCanary('k3x9zzzz'), makeCanary('q7m2aaaa')));
    expect((await store.get('k3x9ab2c')).label).toBe('label-k3x9ab2c');
    expect((await store.get('q7m2')).id).toBe('q7m2aaaa');
    expect((await store.get('k3x9a')).id).toBe('k3x9ab2c');
    await expect(store.get('q7m')).rejects.toBeInstanceOf(CanaryNotFoundError); // too short for a prefix
    await expect(store.get('nope1234')).rejects.toBeInstanceOf(CanaryNotFoundError);
    await expect(store.get('k3x9')).rejects.toThrow(/matches 2 canaries/);
  });
});

describe('a store.json that is not ours', () => {
  const cases: [string, string, RegExp][] = [
    ['garbage', '\u0000\u0001garbage{{{', /not valid JSON/],
    ['truncated JSON', JSON.stringify({ ...emptyStoreDoc(), canaries: [makeCanary('abcd1111')] }).slice(0, 60), /not valid JSON/],
    ['empty file', '', /empty/],
    ['foreign JSON', '{"foo":1}', /not a grith store/],
    ['a JSON array', '[1,2,3]', /not a grith store/],
    ['a newer version', '{"schema":"grith.store","version":99}', /newer grith.*version 99/],
    ['a bad canary', JSON.stringify({ ...emptyStoreDoc(), canaries: [{ ...makeCanary('abcd1111'), fires: 'many' }] }), /canaries\[0\].*fires/],
  ];
  for (const [name, content, detail] of cases) {
    it(`${name}: typed error naming the file; update leaves the bytes identical`, async () => {
      await writeFile(file, content, { mode: 0o600 });
      const before = await sha256File(file);
      const openErr = await CanaryStore.open(home, { create: false }).catch((e: unknown) => e);
      expect(openErr).toBeInstanceOf(StoreCorruptError);
      expect((openErr as StoreCorruptError).file).toBe(file);
      expect((openErr as Error).message).toContain(file);
      expect((openErr as Error).message).toMatch(detail);
      expect((openErr as StoreCorruptError).hint).toMatch(/never overwrites/);

      // A handle opened before the damage must not write over it either.
      await rm(file);
      const store = await CanaryStore.open(home, { create: true });
      await writeFile(file, content, { mode: 0o600 });
      await expect(store.read()).rejects.toBeInstanceOf(StoreCorruptError);
      await expect(store.update((doc) => void doc.canaries.push(makeCanary('new00001')))).rejects.toBeInstanceOf(
        StoreCorruptError,
      );
      expect(await sha256File(file)).toBe(before);
      expect(await readdir(home)).toEqual(['store.json']);
    });
  }

  it('a token value in a damaged canary never appears in the error', async () => {
    const value = 'ghp_SECRETSECRETSECRETSECRETSECRETSECRET';
    await writeFile(file, JSON.stringify({ ...emptyStoreDoc(), canaries: [{ ...makeCanary('abcd1111', value), label: 7 }] }));
    const err = (await CanaryStore.open(home, { create: false }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(StoreCorruptError);
    expect(`${err.message} ${(err as StoreCorruptError).hint}`).not.toContain('SECRET');
  });

  it('an unreadable store (here: a folder in its place) is StoreUnavailableError', async () => {
    await mkdir(file);
    const err = await CanaryStore.open(home, { create: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toContain(file);
  });
});
