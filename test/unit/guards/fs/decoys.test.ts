import { describe, expect, test } from 'vitest';
import type { Canary } from '../../../../src/core/canary.js';
import { augmentExclude, DecoyTable, excludeRepoOf, GIT_EXCLUDE_MARKER } from '../../../../src/guards/fs/decoys.js';

const canary = (id: string, rels: string[], value = `value-${id}`): Canary => ({
  id,
  label: `l-${id}`,
  format: 'generic',
  value,
  placements: rels.map((rel) => ({ kind: 'decoy' as const, rel })),
  createdAt: '2026-01-10T00:00:00.000Z',
  rotatedAt: null,
  terminate: false,
  fires: 0,
  lastFiredAt: null,
});
const body = (c: Canary) => ({ content: `KEY=${c.value}\n`, mode: 0o600 });

describe('decoy table', () => {
  test('files, their virtual parent folders and children', () => {
    const t = DecoyTable.build([canary('a', ['.aws/credentials', '.env']), canary('b', ['deep/er/x.key'])], body);
    expect([...t.files.keys()].sort()).toEqual(['.aws/credentials', '.env', 'deep/er/x.key']);
    expect([...t.childrenOf('')!].sort()).toEqual(['.aws', '.env', 'deep']);
    expect([...t.childrenOf('deep')!]).toEqual(['er']);
    expect(t.isDecoyDir('deep/er')).toBe(true);
    expect(t.isDecoyDir('.env')).toBe(false);
    expect(t.file('.env')!.content.toString()).toBe('KEY=value-a\n');
    expect(t.below('deep')).toEqual(['er/x.key']);
    expect(t.below('')).toEqual(['.aws/credentials', '.env', 'deep/er/x.key']);
  });

  test('mtime lies weeks before creation, and moves when the canary is rotated', () => {
    const c = canary('a', ['.env']);
    const t1 = DecoyTable.build([c], body).file('.env')!;
    expect(t1.mtimeMs).toBeLessThan(Date.parse(c.createdAt) - 13 * 86_400_000);
    const t2 = DecoyTable.build([{ ...c, rotatedAt: '2026-03-01T00:00:00.000Z' }], body).file('.env')!;
    expect(t2.mtimeMs).not.toBe(t1.mtimeMs);
    expect(t1.ino).toBeGreaterThanOrEqual(0xf0000000);
  });

  test('conflicts: first owner wins, escapes and nesting under a decoy file are skipped', () => {
    const t = DecoyTable.build([canary('a', ['.env', '../up', 'x']), canary('b', ['.env', 'x/y'])], body);
    expect(t.file('.env')!.canary.id).toBe('a');
    expect(t.file('x/y')).toBeUndefined();
    expect(t.size).toBe(2);
  });

  test('a format that throws falls back to the bare value', () => {
    const t = DecoyTable.build([canary('a', ['k'])], () => {
      throw new Error('boom');
    });
    expect(t.file('k')!.content.toString()).toBe('value-a\n');
  });
});

describe('git info/exclude augmentation', () => {
  test('recognises exclude files of repositories', () => {
    expect(excludeRepoOf('.git/info/exclude')).toBe('');
    expect(excludeRepoOf('a/b/.git/info/exclude')).toBe('a/b');
    expect(excludeRepoOf('a/.git/info/excludes')).toBeNull();
  });

  test('appends anchored, escaped lines once', () => {
    const out = augmentExclude(Buffer.from('# git ls-files --others\n*.log'), ['.env', 'we*ird[1].key']).toString();
    expect(out).toBe(`# git ls-files --others\n*.log\n${GIT_EXCLUDE_MARKER}\n/.env\n/we\\*ird\\[1].key\n`);
    expect(augmentExclude(Buffer.from(out), ['.env']).toString()).toBe(out);
    expect(augmentExclude(Buffer.from('x\n'), []).toString()).toBe('x\n');
  });
});
