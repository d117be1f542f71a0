// What a git file reads through the mount: info/exclude listing the decoys of its repository (so git never offers
// them for commit), config with the untracked cache on. Null when the file is served unchanged.
import type { DecoyTable } from './decoys.js';
import { augmentExclude, excludeRepoOf } from './decoys.js';
import { augmentGitConfig, isGitConfig } from './git-config.js';

/** Cheap test before any read: only these names can have a view. */
export function mayHaveGitView(rel: string): boolean {
  return rel.endsWith('/exclude') || rel.endsWith('/config') || rel === '.git/config';
}

export function gitView(rel: string, read: () => Buffer, decoys: DecoyTable): Buffer | null {
  if (isGitConfig(rel)) return augmentGitConfig(read());
  if (decoys.size === 0) return null;
  const repo = excludeRepoOf(rel);
  if (repo === null) return null;
  const below = decoys.below(repo);
  return below.length === 0 ? null : augmentExclude(read(), below);
}
