// WebSocket client frames: payloads are unmasked and scanned as one stream; raw frames leave only when safe.
import { describe, expect, it } from 'vitest';
import { partialPrefixesFor } from '../../../../src/guards/proxy/partial-prefixes.js';
import { WsGate, WsProtocolError } from '../../../../src/guards/proxy/ws-gate.js';
import { makeCanary, matcherFor } from '../../../support/canaries.js';
import { pieces, unmaskFrames, wsFrame } from '../../../support/proxy-client.js';

const canary = makeCanary({ id: 'c1' });
const all = [canary, makeCanary({ id: 'c2' })];
const matcher = matcherFor(all);
const prefixes = partialPrefixesFor(matcher, all);

describe('WsGate', () => {
  it('forwards clean frames byte for byte (after idle or finish)', () => {
    const g = new WsGate(matcher, prefixes);
    const raw = Buffer.concat([wsFrame(Buffer.from('hello')), wsFrame(Buffer.alloc(300, 0x61), 2), wsFrame(Buffer.from('bye'), 8)]);
    const out: Buffer[] = [];
    for (const p of pieces(raw, 5)) {
      const r = g.push(p);
      expect(r.hits).toEqual([]);
      out.push(r.release);
    }
    out.push(g.releaseIdle(), g.finish());
    expect(Buffer.concat(out).equals(raw)).toBe(true);
  });

  it('finds a canary split across fragments and masks, one byte at a time, and never releases it whole', () => {
    const v = Buffer.from(canary.value);
    const raw = Buffer.concat([wsFrame(Buffer.concat([Buffer.from('{"t":"'), v.subarray(0, 9)]), 1, false), wsFrame(Buffer.concat([v.subarray(9), Buffer.from('"}')]), 0)]);
    const g = new WsGate(matcher, prefixes);
    const out: Buffer[] = [];
    let hit = false;
    for (const p of pieces(raw, 1)) {
      const r = g.push(p);
      if (r.hits.length > 0) {
        hit = true;
        break;
      }
      out.push(r.release, g.releaseIdle());
    }
    expect(hit).toBe(true);
    expect(unmaskFrames(Buffer.concat(out)).includes(v)).toBe(false);
  });

  it('refuses compressed frames (RSV1)', () => {
    const f = wsFrame(Buffer.from('x'));
    f[0] |= 0x40;
    expect(() => new WsGate(matcher, prefixes).push(f)).toThrow(WsProtocolError);
  });
});
