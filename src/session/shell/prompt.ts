// A guarded shell says so in its prompt: bash and zsh read the user's own start-up file, then prefix "(grith) ".
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface PromptSetup {
  /** Extra arguments for the shell (bash --rcfile FILE). */
  args: string[];
  /** Extra environment (zsh ZDOTDIR). */
  env: Record<string, string>;
  /** Files the shell must be able to read (bound into a sandbox). */
  files: string[];
}

/** How to start `shell` interactively with the marked prompt; null for a shell grith does not know. */
export function markedPrompt(shell: string, dir: string): PromptSetup | null {
  const name = basename(shell);
  if (name === 'bash') {
    const rc = join(dir, 'bashrc');
    writeFileSync(rc, '[ -f ~/.bashrc ] && . ~/.bashrc\nPS1="(grith) ${PS1-\\s-\\v\\$ }"\n', { mode: 0o644 });
    return { args: ['--rcfile', rc], env: {}, files: [rc] };
  }
  if (name === 'zsh') {
    const zdot = join(dir, 'zdot');
    mkdirSync(zdot, { recursive: true });
    writeFileSync(join(zdot, '.zshrc'), 'ZDOTDIR="$HOME"\n[ -f ~/.zshrc ] && . ~/.zshrc\nPROMPT="(grith) $PROMPT"\n', { mode: 0o644 });
    return { args: [], env: { ZDOTDIR: zdot }, files: [zdot] };
  }
  return null;
}
