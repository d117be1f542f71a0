// No false positive on ordinary text and code: 100 random canaries against fixtures/corpus, all variants, streamed.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileMatcher, variantsOf } from '../../../../src/core/matcher/index.js';
import type { MatchTarget } from '../../../../src/core/matcher/types.js';
import { BASE62, randInt, randString, rng, runCuts, secretTarget } from './helpers.js';

const CORPUS = join(import.meta.dirname, '../../../../fixtures/corpus');
const PREFIXES = ['ghp_', 'github_pat_11', 'sk-proj-', 'xoxb-', 'AKIA', 'npm_', 'glpat-'];

function canaries(seed: number, n: number): MatchTarget[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const prefix = i % 5 === 0 ? PREFIXES[i % PREFIXES.length] : '';
    const random = randString(r, BASE62, randInt(r, 20, 64));
    return secretTarget(`c${i}`, prefix + random, prefix ? [random] : []);
  });
}

const files = readdirSync(CORPUS).filter((f) => f.endsWith('.txt'));

describe('corpus', () => {
  const targets = canaries(42, 100);
  const m = compileMatcher(targets);

  test('is a few MB of text', () => {
    const total = files.reduce((n, f) => n + readFileSync(join(CORPUS, f)).length, 0);
    expect(files.length).toBeGreaterThanOrEqual(8);
    expect(total).toBeGreaterThan(3_000_000);
  });

  test.each(files)('%s: no hit, whole or in 64 KiB chunks', (f) => {
    const data = readFileSync(join(CORPUS, f));
    expect(m.scan(data)).toEqual([]);
    const cuts = [];
    for (let at = 65536; at < data.length; at += 65536) cuts.push(at);
    expect(runCuts(m, data, cuts)).toEqual([]);
  });

  test('the same matcher does find a canary planted in the corpus, in every variant', () => {
    const data = readFileSync(join(CORPUS, 'app.log.txt'));
    const t = targets[10];
    for (const v of variantsOf(t.secrets[0])) {
      const at = 777_777;
      const planted = Buffer.concat([data.subarray(0, at), v.bytes, data.subarray(at)]);
      const hits = m.scan(planted);
      expect(hits.some((h) => h.canaryId === t.canaryId && h.variant === v.variant && h.start === at)).toBe(true);
    }
  });
});
