// The exec guard wire format: frames as the C library writes them, partial frames, malformed ones (denied, not thrown).
import { describe, expect, it } from 'vitest';
import { encodeAnswer, encodeFrame, parseFrame } from '../../../../src/guards/shell/exec-protocol.js';

const req = { kind: 'execve', pid: 42, ppid: 7, path: '/usr/bin/curl', argv: ['curl', '-d', 'x y', 'é'] };

describe('exec protocol', () => {
  it('round-trips a request', () => {
    const r = parseFrame(encodeFrame(req));
    expect(r).toMatchObject({ state: 'ok', request: req });
  });

  it('waits for the rest of a split frame', () => {
    const f = encodeFrame(req);
    expect(parseFrame(f.subarray(0, 3)).state).toBe('incomplete');
    expect(parseFrame(f.subarray(0, f.length - 1)).state).toBe('incomplete');
  });

  it('reports malformed frames as values', () => {
    const f = encodeFrame(req);
    const badMagic = Buffer.from(f);
    badMagic[4] = 0x58;
    expect(parseFrame(badMagic)).toMatchObject({ state: 'bad', reason: 'unknown protocol' });
    const hdr = Buffer.alloc(4);
    hdr.writeUInt32LE(0xffffffff, 0);
    expect(parseFrame(hdr)).toMatchObject({ state: 'bad' });
    const wrongCount = encodeFrame({ ...req, argv: [] });
    const payload = wrongCount.subarray(4).toString('latin1').replace('\u00000\u0000', '\u00003\u0000');
    const h2 = Buffer.alloc(4);
    h2.writeUInt32LE(Buffer.byteLength(payload, 'latin1'), 0);
    expect(parseFrame(Buffer.concat([h2, Buffer.from(payload, 'latin1')]))).toMatchObject({ state: 'bad' });
  });

  it('answers on one line', () => {
    expect(encodeAnswer(true).toString()).toBe('A\n');
    expect(encodeAnswer(false, 'no\nway').toString()).toBe('Dno way\n');
  });
});
