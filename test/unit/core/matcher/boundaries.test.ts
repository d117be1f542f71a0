// Regression and boundary tests: each names the condition (or the bug met while building the matcher) it pins down.
import { describe, expect, test } from 'vitest';
import { compileMatcher } from '../../../../src/core/matcher/index.js';
import { canon, naiveHits, rawTarget, runCuts } from './helpers.js';

const B = 'abcdefghijklmnopqrstuvwxyz'; // 26 bytes: stride 16, anchors at multiples of 16
const targets = [rawTarget('b', [B])];
const m = compileMatcher(targets);

function textWith(start: number, total = 96): Buffer {
  return Buffer.from('.'.repeat(start) + B + '.'.repeat(total - start - B.length), 'latin1');
}

function expectOne(input: Buffer, cuts: number[], start: number): void {
  expect(canon(runCuts(m, input, cuts))).toEqual(canon(naiveHits(targets, input)));
  expect(runCuts(m, input, cuts)).toMatchObject([{ canaryId: 'b', start, end: start + B.length }]);
}

describe('stream boundaries', () => {
  test('anchor gram split 1|3, 2|2 and 3|1 across two writes', () => {
    for (const start of [17, 20, 25, 31]) {
      const anchor = Math.ceil(start / 16) * 16;
      for (const k of [1, 2, 3]) expectOne(textWith(start), [anchor + k], start);
    }
  });

  test('verification starting in the kept bytes, as far back as q + stride - 2 before the chunk', () => {
    // Occurrence at 17: anchor 32, gram 32..35; a cut at 35 makes the walk start 18 bytes before the chunk.
    expectOne(textWith(17), [35], 17);
    expectOne(textWith(17), [33, 34, 35], 17);
  });

  test('kept bytes survive a run of writes shorter than what is kept', () => {
    const input = textWith(33);
    const cuts = [10, 20, 30, 31, 32, 33, 34, 35, 36, 37, 38, 40, 45, 49, 50];
    expectOne(input, cuts, 33);
  });

  test('a verification pending over many writes completes exactly at a chunk end', () => {
    const input = textWith(16);
    const cuts = [20, 21, 22, 25, 30, 35, 41, 42]; // 42 = end of the occurrence
    const s = m.stream();
    let prev = 0;
    const got = [];
    for (const cut of cuts) {
      got.push(...s.write(input.subarray(prev, cut)).map((h) => ({ ...h, at: cut })));
      prev = cut;
    }
    expect(got).toMatchObject([{ start: 16, end: 42, at: 42 }]);
  });

  test('empty writes change nothing', () => {
    const input = textWith(21);
    expectOne(input, [5, 5, 30, 30, 30, 47, 47], 21);
  });

  test('an occurrence starting near a chunk end (under 16 bytes left) uses the byte-wise start, same result', () => {
    for (let cut = 17; cut <= 47; cut++) expectOne(textWith(17), [cut], 17);
  });
});

describe('regressions', () => {
  // Bug met: after the 16-byte prefix probe the walk resumed at text offset +4 instead of +16.
  test('prefix-table start: comparison resumes at byte 16 of the text', () => {
    const near = `${B.slice(0, 16)}Q${B.slice(17)}`; // differs at byte 16 only
    expect(m.scan(`..${near}..`)).toEqual([]);
    expect(m.scan(`..${B}..`)).toMatchObject([{ start: 2, end: 28 }]);
    const tricky = compileMatcher([rawTarget('t', ['0123456789ABCDEF' + '0123', '0123456789ABCDEFxxxx'])]);
    // With the +4 bug, '4567' (bytes 4..7) would be compared with the pattern's bytes 16..19.
    expect(tricky.scan('0123456789ABCDEF4567')).toEqual([]);
  });

  // Bug met: a pattern of exactly 16 bytes was never reported once walks started from the prefix table.
  test('a pattern of exactly 16 bytes is reported at the prefix probe, and longer ones sharing it too', () => {
    const t = compileMatcher([rawTarget('x', ['abcdefghijklmnop', B])]);
    expect(canon(t.scan(`(${B})`))).toEqual(
      canon([
        { canaryId: 'x', label: 'label-x', fingerprint: 'fp-x', variant: 'core', start: 1, end: 17 },
        { canaryId: 'x', label: 'label-x', fingerprint: 'fp-x', variant: 'core', start: 1, end: 27 },
      ]),
    );
  });

  test('many patterns sharing a long prefix (escaped provider prefixes) are told apart', () => {
    const shared = '\\u0067\\u0068\\u0070\\u005f'; // 24 bytes
    const pats = ['A', 'B', 'C', 'D'].map((c) => `${shared}\\u00${c.charCodeAt(0).toString(16)}tail-${c}`);
    const t = compileMatcher(pats.map((p, i) => rawTarget(`p${i}`, [p])));
    const input = Buffer.from(`${pats[2]} ${shared}\\u0045tail-E ${pats[0]}`, 'latin1');
    expect(t.scan(input).map((h) => h.canaryId)).toEqual(['p2', 'p0']);
    expect(canon(t.scan(input))).toEqual(canon(naiveHits(pats.map((p, i) => rawTarget(`p${i}`, [p])), input)));
  });
});
