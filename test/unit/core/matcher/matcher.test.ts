// Table-driven matcher cases, each run whole, one byte at a time, split at every offset, and at several strides.
import { describe, expect, test } from 'vitest';
import { compileMatcher } from '../../../../src/core/matcher/index.js';
import type { MatchTarget } from '../../../../src/core/matcher/types.js';
import { canon, oneByteCuts, rawTarget, runCuts } from './helpers.js';

const A = 'abcdefghijklmnop'; // 16
const B = 'abcdefghijklmnopqrstuvwxyz'; // A is a prefix
const C = 'klmnopqrstuvwxyz'; // a suffix of B
const P = 'a'.repeat(16); // periodic: overlaps itself
const U = 'ça-va-très-bien-€'; // multi-byte UTF-8
const Z = '\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f';

interface Case {
  name: string;
  targets: MatchTarget[];
  text: string;
  /** [canaryId, start, end] in bytes; every hit here is variant 'core'. */
  hits: [string, number, number][];
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

const CASES: Case[] = [
  { name: 'no targets', targets: [], text: `x ${A} y`, hits: [] },
  { name: 'empty input', targets: [rawTarget('a', [A])], text: '', hits: [] },
  { name: 'input shorter than every pattern', targets: [rawTarget('a', [A])], text: 'abcdefghijklmno', hits: [] },
  { name: 'match alone', targets: [rawTarget('a', [A])], text: A, hits: [['a', 0, 16]] },
  { name: 'match in the middle', targets: [rawTarget('a', [A])], text: `hello ${A} world`, hits: [['a', 6, 22]] },
  { name: 'match at the end', targets: [rawTarget('a', [A])], text: `0123456789_${A}`, hits: [['a', 11, 27]] },
  { name: 'near miss: last byte differs', targets: [rawTarget('a', [A])], text: 'xx abcdefghijklmnoQ xx', hits: [] },
  { name: 'near miss: first byte differs', targets: [rawTarget('a', [A])], text: 'xx Qbcdefghijklmnop xx', hits: [] },
  { name: 'truncated at end of input', targets: [rawTarget('a', [A])], text: `xxxxxxxxxxxxxxxxxxxxxxxxx${A.slice(0, 15)}`, hits: [] },
  {
    name: 'false start right before the match',
    targets: [rawTarget('a', [A])],
    text: `abcdefghijklmno${A}`,
    hits: [['a', 15, 31]],
  },
  { name: 'two adjacent matches', targets: [rawTarget('a', [A])], text: `${A}${A}`, hits: [['a', 0, 16], ['a', 16, 32]] },
  {
    name: 'prefix, whole and suffix patterns of one canary',
    targets: [rawTarget('a', [A, B, C])],
    text: `--${B}--`,
    hits: [['a', 2, 18], ['a', 2, 28], ['a', 12, 28]],
  },
  {
    name: 'patterns of different canaries overlapping',
    targets: [rawTarget('a', [A]), rawTarget('b', [B]), rawTarget('c', [C])],
    text: `${B}${B}`,
    hits: [['a', 0, 16], ['b', 0, 26], ['c', 10, 26], ['a', 26, 42], ['b', 26, 52], ['c', 36, 52]],
  },
  {
    name: 'periodic pattern overlapping itself',
    targets: [rawTarget('p', [P])],
    text: `b${'a'.repeat(20)}b`,
    hits: [1, 2, 3, 4, 5].map((s) => ['p', s, s + 16] as [string, number, number]),
  },
  {
    name: 'same pattern in two canaries reports both',
    targets: [rawTarget('a', [A]), rawTarget('b', [A])],
    text: `<${A}>`,
    hits: [['a', 1, 17], ['b', 1, 17]],
  },
  {
    name: 'multi-byte UTF-8 pattern, offsets in bytes',
    targets: [rawTarget('u', [U])],
    text: `é ${U} é`,
    hits: [['u', 3, 3 + bytes(U)]],
  },
  { name: 'control bytes pattern', targets: [rawTarget('z', [Z])], text: `\u0000${Z}\u0000`, hits: [['z', 1, 17]] },
  {
    name: 'pattern shorter than 16 bytes is ignored',
    targets: [rawTarget('s', ['abcdefghijklmno', A])],
    text: 'abcdefghijklmno.',
    hits: [],
  },
  {
    name: 'long pattern among short ones',
    targets: [rawTarget('l', ['L'.repeat(300)]), rawTarget('a', [A])],
    text: `${'L'.repeat(301)}${A}`,
    hits: [['l', 0, 300], ['l', 1, 301], ['a', 301, 317]],
  },
];

const STRIDES = [1, 2, 5, undefined];

describe.each(CASES)('$name', (c) => {
  const input = Buffer.from(c.text, 'utf8');
  const expected = canon(
    c.hits.map(([id, start, end]) => ({ canaryId: id, label: `label-${id}`, fingerprint: `fp-${id}`, variant: 'core' as const, start, end })),
  );

  test.each(STRIDES)('stride ≤ %s: whole, 1-byte chunks, split everywhere', (maxStride) => {
    const m = compileMatcher(c.targets, { maxStride });
    expect(canon(m.scan(input))).toEqual(expected);
    expect(canon(runCuts(m, input, []))).toEqual(expected);
    expect(canon(runCuts(m, input, oneByteCuts(input.length)))).toEqual(expected);
    for (let at = 0; at <= input.length; at++) expect(canon(runCuts(m, input, [at]))).toEqual(expected);
  });
});

describe('matcher basics', () => {
  test('scan accepts a string as UTF-8 and a Buffer alike', () => {
    const m = compileMatcher([rawTarget('u', [U])]);
    expect(m.scan(`é ${U}`)).toEqual(m.scan(Buffer.from(`é ${U}`)));
    expect(m.scan(`é ${U}`)).toHaveLength(1);
  });

  test('counts targets, distinct patterns and the longest pattern', () => {
    const m = compileMatcher([rawTarget('a', [A, B]), rawTarget('b', [A, 'short'])]);
    expect(m.targetCount).toBe(2);
    expect(m.patternCount).toBe(2);
    expect(m.maxPatternLength).toBe(26);
  });

  test('a matcher without patterns lets every byte through at once', () => {
    const s = compileMatcher([]).stream();
    s.write(Buffer.from('some bytes'));
    expect(s.safeOffset).toBe(10);
    expect(s.offset).toBe(10);
  });

  test('safeOffset holds back the start of a canary until it is complete or broken', () => {
    const m = compileMatcher([rawTarget('a', [B])]);
    const s = m.stream();
    s.write(Buffer.from('x'.repeat(100) + B.slice(0, 20)));
    expect(s.safeOffset).toBeLessThanOrEqual(100);
    expect(s.write(Buffer.from(B.slice(20)))).toHaveLength(1);
    const t = m.stream();
    t.write(Buffer.from('x'.repeat(100) + B.slice(0, 20)));
    t.write(Buffer.from('!'.repeat(40)));
    expect(t.safeOffset).toBeGreaterThan(100);
  });

  test('safeOffset trails offset by little when no candidate is open', () => {
    const m = compileMatcher([rawTarget('a', [B])]);
    const s = m.stream();
    s.write(Buffer.from('z'.repeat(1000)));
    expect(s.offset - s.safeOffset).toBeLessThan(m.maxPatternLength - 1);
  });

  test('streams are independent', () => {
    const m = compileMatcher([rawTarget('a', [A])]);
    const s1 = m.stream();
    const s2 = m.stream();
    s1.write(Buffer.from(A.slice(0, 8)));
    s2.write(Buffer.from('........'));
    expect(s2.write(Buffer.from(A.slice(8)))).toHaveLength(0);
    expect(s1.write(Buffer.from(A.slice(8)))).toEqual([
      { canaryId: 'a', label: 'label-a', fingerprint: 'fp-a', variant: 'core', start: 0, end: 16 },
    ]);
  });

  test('accepts Uint8Array views at any byteOffset', () => {
    const m = compileMatcher([rawTarget('a', [A])]);
    const backing = Buffer.from(`###${A}###`);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 1, backing.length - 2);
    expect(m.scan(view)).toMatchObject([{ start: 2, end: 18 }]);
  });
});
