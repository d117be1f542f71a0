#!/usr/bin/env node
// grith entry point: hands argv to oclif (commands are compiled into dist/commands).

// Fast path (added by the shell helper): `grith shell -c CMD` runs once per agent command, so it must not load
// oclif (~270 ms). fastShell returns null for every other `grith shell …` form, which then goes to oclif as usual;
// oclif is imported dynamically so that the fast path never pays for it. dist/shell-fast/ is the same code bundled
// into a few files (scripts/bundle-shell.mjs), used when it is newer than the last compile.
import { statSync } from 'node:fs';

function shellFastEntry() {
  const plain = new URL('../dist/src/session/shell/fast.js', import.meta.url);
  const bundled = new URL('../dist/shell-fast/fast.js', import.meta.url);
  try {
    return statSync(bundled).mtimeMs >= statSync(plain).mtimeMs ? bundled : plain;
  } catch {
    return plain;
  }
}

const shellFast = process.argv[2] === 'shell' ? await import(shellFastEntry().href) : null;
const fast = shellFast ? await shellFast.fastShell(process.argv.slice(3)) : null;
if (shellFast && fast !== null) {
  shellFast.exitAfterDrain(fast);
} else {
  const { execute, settings } = await import('@oclif/core');
  // grith runs its compiled JavaScript. oclif would otherwise look for TypeScript sources whenever NODE_ENV is
  // development or test, and warn about a missing typescript on every command of an npm-installed grith.
  settings.enableAutoTranspile = false;
  await execute({ dir: import.meta.url });
}
