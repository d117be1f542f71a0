// Matcher benchmark: streaming throughput of grith's matcher vs a plain Aho-Corasick DFA vs Buffer.indexOf, plus build cost.
// Usage: node dist/bench/matcher/run.js [--size MiB] [--json] [--canaries 10,100,1000]
import { randomFillSync } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { compileMatcher } from '../../src/core/matcher/index.js';
import { targetPatterns } from '../../src/core/matcher/pattern-set.js';
import type { MatchTarget } from '../../src/core/matcher/types.js';
import { AcDfa } from './ac-dfa.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}
const json = process.argv.includes('--json');
const sizeMiB = Number(flag('--size') ?? 256);
const counts = (flag('--canaries') ?? '10,100,1000').split(',').map(Number);
if (!(sizeMiB > 0) || counts.some((n) => !(n > 0))) {
  console.error('usage: run.js [--size MiB] [--json] [--canaries 10,100,1000]');
  process.exit(2);
}

let seed = 0x9e3779b9;
function rand(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randInt = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PREFIXES = ['ghp_', 'github_pat_11', 'sk-proj-', 'xoxb-', 'AKIA', 'npm_', 'glpat-'];

/** Random base62 secrets of realistic lengths; one in five with a provider prefix and its random part as core. */
function canaries(n: number): MatchTarget[] {
  return Array.from({ length: n }, (_, i) => {
    const prefix = i % 5 === 0 ? PREFIXES[i % PREFIXES.length] : '';
    let random = '';
    for (let k = randInt(20, 64); k > 0; k--) random += BASE62[randInt(0, 61)];
    return { canaryId: `c${i}`, label: `bench ${i}`, fingerprint: `fp${i}`, secrets: [prefix + random], cores: prefix ? [random] : [] };
  });
}

/** Text from fixtures/corpus (real code, docs, lockfile, logs), or generated words if the corpus is not there. */
function textPool(): Buffer {
  const dir = fileURLToPath(new URL('../../../fixtures/corpus/', import.meta.url));
  if (existsSync(dir)) {
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));
    if (files.length > 0) return Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
  }
  const words = 'the of and to in is that for it as with was on be by this are from at or an have not function return const'.split(' ');
  let s = '';
  while (s.length < 4 * MiB) s += words[randInt(0, words.length - 1)] + (rand() < 0.1 ? '\n' : ' ');
  return Buffer.from(s);
}

/** Alternating blocks of text (4–64 KiB from the pool) and random bytes, about half each. */
function mixedData(size: number): Buffer {
  const pool = textPool();
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  let text = true;
  while (at < size) {
    const n = Math.min(size - at, randInt(4096, 65536));
    if (text) {
      const from = randInt(0, pool.length - n);
      pool.copy(out, at, from, from + n);
    } else randomFillSync(out, at, n);
    at += n;
    text = !text;
  }
  return out;
}

/** A few real occurrences (random variants of random canaries) so every matcher has something to find. */
function plant(data: Buffer, targets: MatchTarget[], n: number): void {
  for (let i = 0; i < n; i++) {
    const pats = targetPatterns(targets[randInt(0, targets.length - 1)]);
    const p = pats[randInt(0, pats.length - 1)].bytes;
    p.copy(data, randInt(0, data.length - p.length));
  }
}

function mbps(bytes: number, ms: number): number {
  return bytes / MiB / (ms / 1000);
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Warm the JIT up (three streams over the first 32 MiB), then time a fresh stream over the whole buffer: wall time and
 * this process's CPU time (on a shared machine the CPU figure is the steadier one).
 */
function timeStream(data: Buffer, open: () => (c: Buffer) => number): { ms: number; cpu: number; found: number } {
  // V8 needs a few passes to tier the loops up fully; a guard lives long enough that the steady state is what counts.
  for (let pass = 0; pass < 3; pass++) {
    const warm = open();
    for (let at = 0; at < Math.min(data.length, 32 * MiB); at += CHUNK) warm(data.subarray(at, at + CHUNK));
  }
  const write = open();
  const c0 = cpuMs();
  const t0 = performance.now();
  let found = 0;
  for (let at = 0; at < data.length; at += CHUNK) found += write(data.subarray(at, at + CHUNK));
  return { ms: performance.now() - t0, cpu: cpuMs() - c0, found };
}

interface Row {
  canaries: number;
  patterns: number;
  maxPatternLength: number;
  buildMs: number;
  buildCpuMs: number;
  /** Bytes of the compiled matcher's typed arrays (pattern bytes, offsets, filter, gram and prefix tables). */
  tablesMiB: number;
  heapMiB: number;
  rssMiB: number;
  grithMBps: number;
  grithCpuMBps: number;
  grithHits: number;
  dfaMBps: number;
  dfaCpuMBps: number;
  dfaMatches: number;
  dfaBuildMs: number;
  dfaStates: number;
  dfaWidth: number;
  dfaTableMiB: number;
  indexOfMBps: number;
  indexOfSliceMiB: number;
}

/** Sum of the typed arrays a compiled matcher holds (its set and prefilter fields; not part of the Matcher contract). */
function tableBytes(matcher: object): number {
  let total = 0;
  const visit = (o: unknown): void => {
    if (o === null || typeof o !== 'object') return;
    for (const v of Object.values(o)) if (ArrayBuffer.isView(v)) total += v.byteLength;
  };
  const m = matcher as { set?: unknown; pf?: unknown };
  visit(m.set);
  visit(m.pf);
  return total;
}

function measure(n: number, data: Buffer): Row {
  const targets = canaries(n);
  plant(data, targets, 64);

  gc();
  const heap0 = process.memoryUsage();
  const c0 = cpuMs();
  const t0 = performance.now();
  const matcher = compileMatcher(targets);
  const buildMs = performance.now() - t0;
  const buildCpuMs = cpuMs() - c0;
  gc();
  const heap1 = process.memoryUsage();

  const g = timeStream(data, () => {
    const s = matcher.stream();
    return (c) => s.write(c).length;
  });

  const patterns = targets.flatMap((t) => targetPatterns(t).map((p) => p.bytes));
  const uniq = [...new Map(patterns.map((p) => [p.toString('latin1'), p])).values()];
  const d0 = performance.now();
  const dfa = new AcDfa(uniq);
  const dfaBuildMs = performance.now() - d0;
  const d = timeStream(data, () => {
    const s = dfa.stream();
    return (c) => s.write(c);
  });

  // indexOf over every pattern: quadratic in patterns × bytes, so time a slice and extrapolate.
  const slice = Math.min(data.length, Math.max(MiB, Math.floor((16 * MiB * 150) / uniq.length / MiB) * MiB));
  const part = data.subarray(0, slice);
  const i0 = performance.now();
  let idx = 0;
  for (const p of uniq) for (let i = part.indexOf(p); i !== -1; i = part.indexOf(p, i + 1)) idx++;
  const indexMs = performance.now() - i0;
  void idx;

  const row: Row = {
    canaries: n,
    patterns: matcher.patternCount,
    maxPatternLength: matcher.maxPatternLength,
    buildMs,
    buildCpuMs,
    tablesMiB: tableBytes(matcher) / MiB,
    heapMiB: (heap1.heapUsed + heap1.arrayBuffers - heap0.heapUsed - heap0.arrayBuffers) / MiB,
    rssMiB: (heap1.rss - heap0.rss) / MiB,
    grithMBps: mbps(data.length, g.ms),
    grithCpuMBps: mbps(data.length, g.cpu),
    grithHits: g.found,
    dfaMBps: mbps(data.length, d.ms),
    dfaCpuMBps: mbps(data.length, d.cpu),
    dfaMatches: d.found,
    dfaBuildMs,
    dfaStates: dfa.info.states,
    dfaWidth: dfa.info.width,
    dfaTableMiB: dfa.info.tableBytes / MiB,
    indexOfMBps: mbps(slice, indexMs),
    indexOfSliceMiB: slice / MiB,
  };
  return row;
}

const t0 = performance.now();
const data = mixedData(sizeMiB * MiB);
const genMs = performance.now() - t0;
const rows: Row[] = [];
for (const n of counts) rows.push(measure(n, data));

if (json) {
  console.log(JSON.stringify({ sizeMiB, chunkKiB: CHUNK / 1024, node: process.version, genMs, rows }, null, 2));
} else {
  const f = (x: number, d = 0): string => x.toFixed(d);
  console.log(`matcher bench: ${sizeMiB} MiB, about half text from fixtures/corpus and half random bytes, ${CHUNK / 1024} KiB chunks, ` +
    `all variants, one core, node ${process.version}`);
  console.log('MB/s = MiB of input per second of wall time (in brackets: per second of this process\'s CPU time).');
  console.log('grith and AC DFA stream the whole input chunk by chunk, after 3 warm-up passes over 32 MiB on separate streams.');
  console.log('indexOf: Buffer.indexOf of every pattern over one slice (size given), whole-buffer (not streaming),');
  console.log('extrapolated to MiB/s: it is far too slow to run over the whole input.\n');
  const head = ['canaries', 'patterns', 'maxLen', 'build ms (cpu)', 'tables MiB', 'heap+ab MiB', 'rss MiB', 'grith MB/s (cpu)', 'hits',
    'AC DFA MB/s (cpu)', 'matches', 'DFA build ms', 'DFA states × width', 'DFA MiB', 'indexOf MB/s (slice)'];
  const body = rows.map((r) => [
    f(r.canaries), f(r.patterns), f(r.maxPatternLength), `${f(r.buildMs)} (${f(r.buildCpuMs)})`, f(r.tablesMiB, 1), f(r.heapMiB, 1),
    f(r.rssMiB, 1), `${f(r.grithMBps)} (${f(r.grithCpuMBps)})`, f(r.grithHits), `${f(r.dfaMBps)} (${f(r.dfaCpuMBps)})`,
    f(r.dfaMatches), f(r.dfaBuildMs), `${r.dfaStates} × ${r.dfaWidth}`, f(r.dfaTableMiB),
    `${f(r.indexOfMBps, 1)} (${f(r.indexOfSliceMiB)} MiB)`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(line(head));
  for (const b of body) console.log(line(b));
  console.log('\nDFA width 256 = plain 256-wide table; a smaller width = byte classes (256 wide would exceed 512 MiB).');
  console.log('hits/matches: occurrences found in the measured pass. 64 random variants are planted per row (earlier rows\'');
  console.log('plants stay but belong to other canaries); a planted pattern can also contain another (core in plain).');
  console.log('tables: bytes of the compiled matcher\'s typed arrays; heap+ab/rss: heapUsed+arrayBuffers and rss growth');
  console.log('across compileMatcher (after gc; noisy, can be negative).');
}
