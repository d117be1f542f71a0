// The session banner: one line for fires and decoy reads, with nothing in it a terminal would act on.
import { describe, expect, it } from 'vitest';
import type { GrithEvent } from '../../../src/events/types.js';
import { bannerLine } from '../../../src/session/banner.js';

const base: GrithEvent = {
  ts: '2026-01-01T00:00:00.000Z',
  seq: 7,
  prevHash: 'p',
  hash: 'h',
  kind: 'canary.fired',
  guard: 'proxy',
  action: 'deny',
  canaryId: 'c1',
  label: 'deploy key',
  fingerprint: '0123456789ab',
  variant: 'base64',
};

describe('bannerLine', () => {
  it('names the guard, what happened, the canary and where', () => {
    expect(bannerLine({ ...base, where: 'evil.example:443' })).toBe(
      'grith ▲ CANARY FIRED [proxy] request blocked: canary "deploy key" (fp 0123456789ab, base64) at evil.example:443',
    );
    expect(bannerLine({ ...base, kind: 'canary.read', guard: 'fs', action: 'alert' })).toMatch(/^grith ▲ CANARY TOUCHED \[fs\] decoy read/);
    expect(bannerLine({ ...base, kind: 'guard.started', action: 'info' })).toBeNull();
  });

  // Regression: only C0 and DEL were stripped; a C1 CSI (U+009B), bidi overrides and line separators got through.
  it('strips every control and format character a terminal would act on', () => {
    const hostile = 'a\u009b2Jb\u202ec\u2066d\u2028e\u2029f\u200bg\u001b[31mh\u0085i\u061cj';
    const line = bannerLine({ ...base, label: hostile, where: hostile, variant: hostile })!;
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    expect(line).toContain('a 2Jb c d e f g [31mh i j');
  });
});
