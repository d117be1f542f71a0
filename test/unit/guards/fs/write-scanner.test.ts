import { describe, expect, test } from 'vitest';
import { compileMatcher } from '../../../../src/core/matcher/index.js';
import { contextBytes, hitsInWrite, scanChunks } from '../../../../src/guards/fs/write-scanner.js';

const SECRET = 'ghp_R4nd0mC0reAbcdefGhijklMnopqrStuvwx01';
const m = compileMatcher([{ canaryId: 'c1', label: 'one', fingerprint: 'fp1', secrets: [SECRET], cores: [SECRET.slice(4)] }]);
const b = (s: string) => Buffer.from(s, 'latin1');

describe('write scanner', () => {
  test('context is maxPatternLength - 1 bytes', () => {
    expect(contextBytes(m)).toBe(m.maxPatternLength - 1);
  });

  test('a canary inside the written bytes', () => {
    const hits = hitsInWrite(m, b(''), b(`x=${SECRET}\n`), b(''));
    expect(hits).toContainEqual(expect.objectContaining({ canaryId: 'c1', variant: 'plain', start: 2, end: 2 + SECRET.length }));
  });

  test('a canary completed by the last byte, with the rest already on disk before it', () => {
    const hits = hitsInWrite(m, b(SECRET.slice(0, -1)), b(SECRET.slice(-1)), b(''));
    expect(hits.length).toBeGreaterThan(0);
  });

  test('a canary completed by its first byte, with the rest already on disk after it', () => {
    expect(hitsInWrite(m, b(''), b(SECRET.slice(0, 1)), b(SECRET.slice(1))).length).toBeGreaterThan(0);
  });

  test('an old canary wholly in the surrounding bytes is not this write\'s hit', () => {
    expect(hitsInWrite(m, b(SECRET + ' '), b('harmless'), b(' ' + SECRET))).toEqual([]);
  });

  test('whole-content scan across chunk borders', () => {
    const half = SECRET.length >> 1;
    expect(scanChunks(m, [b('aa' + SECRET.slice(0, half)), b(SECRET.slice(half) + 'bb')]).length).toBeGreaterThan(0);
    expect(scanChunks(m, [b('nothing'), b('here')])).toEqual([]);
  });
});
