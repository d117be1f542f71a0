// Many real processes at once against one GRITH_HOME: no lost canaries, no lost or duplicated events.
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../../src/events/event-log.js';
import { CanaryStore } from '../../../src/store/canary-store.js';
import { eventsPath, storePath } from '../../../src/store/home.js';
import { tempHome } from '../../support/store-fixtures.js';
import { buildStoreModules, runNode, type Build } from './build.js';

let build: Build;
let home: string;

beforeAll(async () => {
  build = await buildStoreModules();
  home = await tempHome('grith-conc-');
});
afterAll(async () => {
  await build?.cleanup();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('20 processes updating the store at once', () => {
  it('keeps all 500 canaries, valid JSON, mode 0600, no temp files left', async () => {
    const worker = path.join(build.dir, 'store-worker.mjs');
    await writeFile(
      worker,
      `import { CanaryStore } from ${JSON.stringify(build.mod('src/store/canary-store.js'))};
const [home, w] = process.argv.slice(2);
const store = await CanaryStore.open(home, { create: true });
await store.update((doc) => {
  for (let i = 0; i < 25; i++) {
    const id = 'w' + w.padStart(2, '0') + 'c' + String(i).padStart(2, '0');
    doc.canaries.push({ id, label: id, format: 'generic', value: 'tok_' + id + '_' + 'x'.repeat(24),
      placements: [], createdAt: new Date().toISOString(), rotatedAt: null, terminate: false, fires: 0, lastFiredAt: null });
  }
});
`,
    );
    const results = await Promise.all(Array.from({ length: 20 }, (_, w) => runNode(worker, [home, String(w)])));
    for (const r of results) expect(r, r.out).toMatchObject({ code: 0 });

    const raw = await readFile(storePath(home), 'utf8');
    const doc = JSON.parse(raw);
    expect(doc.schema).toBe('grith.store');
    expect(doc.canaries).toHaveLength(500);
    expect(new Set(doc.canaries.map((c: { id: string }) => c.id)).size).toBe(500);
    expect((await stat(storePath(home))).mode & 0o777).toBe(0o600);
    expect((await readdir(home)).filter((f) => f !== 'events.jsonl')).toEqual(['store.json']);
    const store = await CanaryStore.open(home, { create: false });
    expect(await store.list()).toHaveLength(500);
  });
});

describe('10 processes appending events at once', () => {
  it('records 200 events with seq 1..200 and an intact chain', async () => {
    const worker = path.join(build.dir, 'event-worker.mjs');
    await writeFile(
      worker,
      `import { EventLog } from ${JSON.stringify(build.mod('src/events/event-log.js'))};
const [home, w] = process.argv.slice(2);
const log = new EventLog(home);
for (let i = 0; i < 20; i++) {
  await log.append({ kind: 'canary.fired', guard: 'proxy', action: 'deny', canaryId: 'w' + w, where: 'n' + i, pid: process.pid });
}
`,
    );
    const results = await Promise.all(Array.from({ length: 10 }, (_, w) => runNode(worker, [home, String(w)])));
    for (const r of results) expect(r, r.out).toMatchObject({ code: 0 });

    const log = new EventLog(home);
    const all = await log.readAll();
    expect(all).toHaveLength(200);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (let w = 0; w < 10; w++) {
      // each writer's own events stay in its order
      expect(all.filter((e) => e.canaryId === `w${w}`).map((e) => e.where)).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
    }
    expect(await log.verify()).toMatchObject({ ok: true, count: 200, keyed: 200, checkpoint: { seq: 200 } });
    expect((await stat(eventsPath(home))).mode & 0o777).toBe(0o600);
    expect((await readdir(home)).sort()).toEqual(['events.jsonl', 'keys', 'store.json']); // no lock or temp file left behind
    expect((await readdir(path.join(home, 'keys'))).sort()).toEqual(['chain.key', 'head.json']);
  });
});
