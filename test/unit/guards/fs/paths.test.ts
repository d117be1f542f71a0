import { describe, expect, test } from 'vitest';
import { isWithin, normalizeRel, relOf, Zone } from '../../../../src/guards/fs/paths.js';

describe('paths and zones', () => {
  test('FUSE paths become mount-relative', () => {
    expect(relOf('/')).toBe('');
    expect(relOf('/a/b')).toBe('a/b');
    expect(relOf('')).toBe('');
  });

  test('user paths are normalized; escapes are refused', () => {
    expect(normalizeRel('./src//lib/')).toBe('src/lib');
    expect(normalizeRel('/.env')).toBe('.env');
    expect(normalizeRel('a/../b')).toBeNull();
    expect(normalizeRel('.')).toBeNull();
  });

  test('isWithin matches whole segments only', () => {
    expect(isWithin('src/a', 'src')).toBe(true);
    expect(isWithin('src', 'src')).toBe(true);
    expect(isWithin('srcx/a', 'src')).toBe(false);
    expect(isWithin('anything', '')).toBe(true);
  });

  test('a zone is the whole mount by default, else its listed sub-paths', () => {
    expect(Zone.parse([]).contains('x/y')).toBe(true);
    const z = Zone.parse(['work', './docs/']);
    expect(z.contains('work/a.txt')).toBe(true);
    expect(z.contains('docs')).toBe(true);
    expect(z.contains('workshop/a')).toBe(false);
    expect(z.contains('')).toBe(false);
    expect(Zone.parse(['.']).wholeMount).toBe(true);
    expect(() => Zone.parse(['../x'])).toThrow(/not a path inside the mount/);
  });
});
