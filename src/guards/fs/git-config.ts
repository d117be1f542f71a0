// Git through FUSE: `git status` reads every folder of the work tree each time, and every folder read is a round
// trip to the mount. Git's untracked cache avoids that, so the mount shows repositories a config with
// core.untrackedCache = true (unless the repository sets it itself). The lines exist only in what is read through
// the mount: when git rewrites its config (config.lock renamed over config) they are taken out again.

export const GIT_CONFIG_MARKER = '# grith mount: untracked cache (virtual, not on disk)';
const BLOCK = `${GIT_CONFIG_MARKER}\n[core]\n\tuntrackedCache = true\n`;

/** `<repo>/.git/config` -> true. */
export function isGitConfig(rel: string): boolean {
  return rel === '.git/config' || rel.endsWith('/.git/config');
}

/** The config as git should read it through the mount; null when it is served unchanged. */
export function augmentGitConfig(real: Buffer): Buffer | null {
  const text = real.toString('utf8');
  if (/untrackedcache/i.test(text)) return null; // the repository decided; leave it
  const sep = real.length === 0 || text.endsWith('\n') ? '' : '\n';
  return Buffer.concat([real, Buffer.from(sep + BLOCK, 'utf8')]);
}

/** A config about to be written (by git, an editor) with the virtual block removed; null when it has none. */
export function stripGitConfig(content: Buffer): Buffer | null {
  const text = content.toString('utf8');
  const i = text.indexOf(BLOCK);
  if (i < 0) return null;
  return Buffer.from(text.slice(0, i) + text.slice(i + BLOCK.length), 'utf8');
}
