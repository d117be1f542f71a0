// What of a request head is scanned, and what an event may say about it.
import { describe, expect, it } from 'vitest';
import { maskForEvent, percentDecode, scanHead } from '../../../../src/guards/proxy/head-scan.js';
import { makeCanary, matcherFor } from '../../../support/canaries.js';

const canary = makeCanary({ id: 'c1' });
const matcher = matcherFor([canary]);
const head = (over: Partial<Parameters<typeof scanHead>[1]>) => ({ method: 'GET', target: '/', rawHeaders: ['Host', 'example.com'], host: 'example.com', port: 443, ...over });

describe('scanHead', () => {
  it('is clean for an ordinary request', () => {
    expect(scanHead(matcher, head({ rawHeaders: ['Host', 'example.com', 'Accept', '*/*', 'User-Agent', 'curl/8'] }))).toEqual([]);
  });
  it('sees the token in the target, raw or with every byte percent-encoded, and with + for spaces', () => {
    expect(scanHead(matcher, head({ target: `/a?t=${canary.value}` })).length).toBeGreaterThan(0);
    const enc = [...canary.value].map((c) => '%' + c.charCodeAt(0).toString(16)).join('');
    expect(scanHead(matcher, head({ target: `/a?t=${enc}` })).length).toBeGreaterThan(0);
  });
  it('sees the token cut into DNS labels, in the destination and in the Host header', () => {
    const labels = canary.value.match(/.{1,10}/g)!.join('.');
    expect(scanHead(matcher, head({ host: `${labels}.evil.example` })).length).toBeGreaterThan(0);
    expect(scanHead(matcher, head({ rawHeaders: ['Host', `${labels}.evil.example`] })).length).toBeGreaterThan(0);
  });
  it('percent-decoding never throws on malformed input', () => {
    expect(percentDecode('%zz%4').toString()).toBe('%zz%4');
    expect(percentDecode('a+b%20c').toString()).toBe('a b c');
  });
});

describe('maskForEvent', () => {
  it('masks the token and its overlapping core hit once, keeping the rest of the path', () => {
    const out = maskForEvent(matcher, [canary.value], `/api/${canary.value}/x?y=1`);
    expect(out).toBe('/api/[masked]/x?y=1');
  });
  it('masks percent-encoded tokens entirely', () => {
    const enc = [...canary.value].map((c) => '%' + c.charCodeAt(0).toString(16)).join('');
    expect(maskForEvent(matcher, [canary.value], `/q?t=${enc}`)).not.toContain(enc);
  });
});
