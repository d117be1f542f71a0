import { describe, expect, test } from 'vitest';
import { augmentGitConfig, isGitConfig, stripGitConfig } from '../../../../src/guards/fs/git-config.js';

describe('virtual git config', () => {
  const real = Buffer.from('[core]\n\tbare = false\n');
  test('adds the untracked cache unless the repository decided', () => {
    const aug = augmentGitConfig(real)!.toString();
    expect(aug.startsWith(real.toString())).toBe(true);
    expect(aug).toMatch(/\[core\]\n\tuntrackedCache = true\n$/);
    expect(augmentGitConfig(Buffer.from('[core]\n\tuntrackedCache = false\n'))).toBeNull();
  });
  test('stripping restores what is on disk, wherever git put the block', () => {
    const aug = augmentGitConfig(real)!;
    expect(stripGitConfig(aug)!.toString()).toBe(real.toString());
    const rewritten = Buffer.from(aug.toString() + '[user]\n\tname = x\n');
    expect(stripGitConfig(rewritten)!.toString()).toBe(real.toString() + '[user]\n\tname = x\n');
    expect(stripGitConfig(real)).toBeNull();
  });
  test('recognises repository config files only', () => {
    expect(isGitConfig('.git/config')).toBe(true);
    expect(isGitConfig('a/.git/config')).toBe(true);
    expect(isGitConfig('a/git/config')).toBe(false);
  });
});
