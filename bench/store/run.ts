// Store and event-log figures: cross-process change-to-reload latency, locked update and append rates.
// Build first (npx tsc -p tsconfig.build.json), then: node dist/bench/store/run.js
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Canary } from '../../src/core/canary.js';
import type { Matcher } from '../../src/core/matcher/types.js';
import { EventLog } from '../../src/events/event-log.js';
import { CanaryStore } from '../../src/store/canary-store.js';
import { LiveCanaries } from '../../src/store/live-canaries.js';

const storeModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/store/canary-store.js');

function canary(id: string): Canary {
  return {
    id,
    label: id,
    format: 'generic',
    value: `tok_${id}_${'x'.repeat(24)}`,
    placements: [],
    createdAt: new Date().toISOString(),
    rotatedAt: null,
    terminate: false,
    fires: 0,
    lastFiredAt: null,
  };
}

const nullMatcher = (cs: Canary[]): Matcher => ({
  targetCount: cs.length,
  patternCount: cs.length,
  maxPatternLength: 1,
  scan: () => [],
  stream: () => ({ write: () => [], offset: 0, safeOffset: 0 }),
});

/** A child process adds one canary and prints the wall-clock ms right after its update returned. */
function addFromChild(home: string, id: string): Promise<number> {
  const code = `import(${JSON.stringify(storeModule)}).then(async ({ CanaryStore }) => {
    const s = await CanaryStore.open(${JSON.stringify(home)}, { create: true });
    await s.update((d) => void d.canaries.push(${JSON.stringify(canary(id))}));
    process.stdout.write(String(Date.now()));
  });`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', code]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (c) => (c === 0 ? resolve(Number(out)) : reject(new Error(`child exited ${c}`))));
  });
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `median ${q(0.5).toFixed(1)} ms, p90 ${q(0.9).toFixed(1)} ms, max ${s[s.length - 1]!.toFixed(1)} ms (n=${s.length})`;
}

async function main(): Promise<void> {
  const home = await mkdtemp(path.join(tmpdir(), 'grith-bench-store-'));
  try {
    const live = await LiveCanaries.open(home, nullMatcher);
    const lat: number[] = [];
    for (let i = 0; i < 15; i++) {
      const want = i + 1;
      const seen = new Promise<number>((resolve) => {
        const cb = () => {
          if (live.snapshot().canaries.length === want) {
            live.off('change', cb);
            resolve(Date.now());
          }
        };
        live.on('change', cb);
      });
      const written = await addFromChild(home, `bench${String(i).padStart(3, '0')}`);
      lat.push((await seen) - written);
    }
    await live.close();
    console.log(`store change in another process -> LiveCanaries reloaded: ${stats(lat)}`);

    const store = await CanaryStore.open(home, { create: true });
    const n = 200;
    let t0 = performance.now();
    for (let i = 0; i < n; i++) await store.update((d) => void d.canaries.push(canary(`upd${i}`)));
    let dt = performance.now() - t0;
    console.log(`locked update (read+validate+fsync+rename), store growing 15->${15 + n} canaries: ${(dt / n).toFixed(2)} ms each`);

    const log = new EventLog(home);
    t0 = performance.now();
    for (let i = 0; i < n; i++) await log.append({ kind: 'canary.fired', guard: 'proxy', action: 'deny', canaryId: 'x', where: `n${i}` });
    dt = performance.now() - t0;
    console.log(`event append (lock+tail read+write+fsync): ${(dt / n).toFixed(2)} ms each`);
    t0 = performance.now();
    const v = await log.verify();
    console.log(`verify ${n} events: ${(performance.now() - t0).toFixed(1)} ms, ok=${v.ok}`);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

await main();
