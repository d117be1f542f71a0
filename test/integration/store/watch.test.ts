// Store changes made by other processes reach watchers and LiveCanaries; a damaged store fails closed and recovers.
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Canary } from '../../../src/core/canary.js';
import { HomeMissingError, StoreCorruptError } from '../../../src/core/errors.js';
import type { Matcher } from '../../../src/core/matcher/types.js';
import { CanaryStore } from '../../../src/store/canary-store.js';
import { storePath } from '../../../src/store/home.js';
import { LiveCanaries, MatcherCompileError, type LiveSnapshot } from '../../../src/store/live-canaries.js';
import { watchStore } from '../../../src/store/store-watch.js';
import { fakeMatcher, makeCanary, tempHome } from '../../support/store-fixtures.js';
import { buildStoreModules, runNode, type Build } from './build.js';

let build: Build;
let addWorker: string;
let home: string;

beforeAll(async () => {
  build = await buildStoreModules();
  addWorker = path.join(build.dir, 'add-worker.mjs');
  // Adds one canary (id, value from argv) through the real compiled store, as `grith canary add` would.
  await writeFile(
    addWorker,
    `import { CanaryStore } from ${JSON.stringify(build.mod('src/store/canary-store.js'))};
const [home, id, value] = process.argv.slice(2);
const store = await CanaryStore.open(home, { create: true });
await store.update((doc) => void doc.canaries.push({ id, label: 'L-' + id, format: 'generic', value, placements: [],
  createdAt: new Date().toISOString(), rotatedAt: null, terminate: false, fires: 0, lastFiredAt: null }));
`,
  );
});
afterAll(async () => {
  await build?.cleanup();
});
beforeEach(async () => {
  home = await tempHome('grith-watch-');
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function until<T>(get: () => T | undefined | false, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`not observed within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Replace store.json from another process, the way an atomic writer does (temp + rename). */
async function writeStoreFromOtherProcess(content: string): Promise<void> {
  const script = path.join(build.dir, 'raw-writer.cjs');
  await writeFile(
    script,
    `const fs = require('fs'); const [file, content] = process.argv.slice(2);
fs.writeFileSync(file + '.raw', content); fs.renameSync(file + '.raw', file);`,
  );
  const r = await runNode(script, [storePath(home), content]);
  expect(r.code, r.out).toBe(0);
}

describe('watchStore', () => {
  it('fires when another process updates the store, and not for other files in the home', async () => {
    let fired = 0;
    const w = watchStore(home, () => fired++, { pollMs: 0 }); // events only: prove the inotify path
    await w.ready;
    try {
      await writeFile(path.join(home, 'events.jsonl'), '{}\n');
      await writeFile(path.join(home, 'unrelated.txt'), 'x');
      await new Promise((r) => setTimeout(r, 400));
      expect(fired).toBe(0);
      const r = await runNode(addWorker, [home, 'abcd0001', 'tok_value_abcd0001_xxxxxxxxxxxx']);
      expect(r.code, r.out).toBe(0);
      await until(() => fired > 0);
    } finally {
      await w.close();
    }
  });

  it('fires when the store is replaced several times in a row (new inode each time)', async () => {
    let fired = 0;
    const w = watchStore(home, () => fired++, { pollMs: 0 }); // events only: prove the inotify path
    await w.ready;
    try {
      for (let i = 1; i <= 3; i++) {
        const seen = fired;
        const r = await runNode(addWorker, [home, `abcd000${i}`, `tok_value_abcd000${i}_xxxxxxxxxxxx`]);
        expect(r.code, r.out).toBe(0);
        await until(() => fired > seen);
      }
    } finally {
      await w.close();
    }
  });
});

describe('LiveCanaries', () => {
  it('recompiles when another process adds a canary, and tells listeners', async () => {
    const live = await LiveCanaries.open(home, fakeMatcher);
    const changes: LiveSnapshot[] = [];
    live.on('change', (s) => changes.push(s));
    try {
      const s0 = live.snapshot();
      expect(s0.error).toBeUndefined();
      expect(s0.canaries).toEqual([]);
      expect(s0.matcher!.scan('tok_value_abcd0001_xxxxxxxxxxxx')).toEqual([]);

      const r = await runNode(addWorker, [home, 'abcd0001', 'tok_value_abcd0001_xxxxxxxxxxxx']);
      expect(r.code, r.out).toBe(0);
      const s1 = await until(() => {
        const s = live.snapshot();
        return s.canaries.length === 1 && s;
      });
      expect(s1.version).toBeGreaterThan(s0.version);
      expect(s1.matcher!.scan('POST body=tok_value_abcd0001_xxxxxxxxxxxx').map((h) => h.canaryId)).toEqual(['abcd0001']);
      expect(changes.at(-1)).toBe(s1);
    } finally {
      await live.close();
    }
  });

  it('fails closed when the store is damaged (matcher null, error set) and recovers when it is fixed', async () => {
    const store = await CanaryStore.open(home, { create: true });
    await store.update((doc) => void doc.canaries.push(makeCanary('abcd0001')));
    const valid = JSON.stringify(await store.read());
    const live = await LiveCanaries.open(home, fakeMatcher);
    try {
      expect(live.snapshot().canaries.map((c) => c.id)).toEqual(['abcd0001']);

      await writeStoreFromOtherProcess('{"schema":"grith.store","canaries":[{"id":');
      const bad = await until(() => live.snapshot().error !== undefined && live.snapshot());
      expect(bad.error).toBeInstanceOf(StoreCorruptError);
      expect(bad.matcher).toBeNull();
      expect(bad.canaries).toEqual([]);

      await writeStoreFromOtherProcess(valid);
      const good = await until(() => live.snapshot().error === undefined && live.snapshot());
      expect(good.matcher).not.toBeNull();
      expect(good.canaries.map((c) => c.id)).toEqual(['abcd0001']);
      expect(good.version).toBeGreaterThan(bad.version);
    } finally {
      await live.close();
    }
  });

  it('reports a compile failure as MatcherCompileError without the token value', async () => {
    const c = makeCanary('abcd0001', 'ghp_THEVALUETHEVALUETHEVALUETHEVALUE1234');
    const store = await CanaryStore.open(home, { create: true });
    await store.update((doc) => void doc.canaries.push(c));
    const compile = (cs: Canary[]): Matcher => {
      throw new Error(`cannot build pattern for ${cs[0]!.value}`);
    };
    const live = await LiveCanaries.open(home, compile);
    try {
      const s = live.snapshot();
      expect(s.matcher).toBeNull();
      expect(s.error).toBeInstanceOf(MatcherCompileError);
      expect(s.error!.message).not.toContain('THEVALUE');
    } finally {
      await live.close();
    }
  });

  it('a home that cannot be created is an error state, not a throw', async () => {
    const blocker = path.join(home, 'a-file');
    await writeFile(blocker, 'x');
    const live = await LiveCanaries.open(path.join(blocker, 'home'), fakeMatcher, { pollMs: 0 });
    try {
      expect(live.snapshot().matcher).toBeNull();
      expect(live.snapshot().error).toBeDefined();
    } finally {
      await live.close();
    }
  });

  it('an absent store is an empty one; a vanished home is HomeMissingError', async () => {
    const h = path.join(home, 'sub');
    const live = await LiveCanaries.open(h, fakeMatcher);
    try {
      expect(live.snapshot()).toMatchObject({ canaries: [], version: 1 });
      expect(live.snapshot().error).toBeUndefined();
      await rename(h, path.join(home, 'moved'));
      await live.reload();
      expect(live.snapshot().error).toBeInstanceOf(HomeMissingError);
      expect(live.snapshot().matcher).toBeNull();
    } finally {
      await live.close();
    }
  });
});
