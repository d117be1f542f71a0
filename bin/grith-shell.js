#!/usr/bin/env node
// grith-shell: `grith shell` under a name an agent can take as its $SHELL (SHELL=grith-shell agent → `$SHELL -c CMD`).
// `-c` takes the lean path (no oclif, bundled when dist/shell-fast/ is current); anything else goes to oclif.
import { statSync } from 'node:fs';

const plain = new URL('../dist/src/session/shell/fast.js', import.meta.url);
const bundled = new URL('../dist/shell-fast/fast.js', import.meta.url);
let entry = plain;
try {
  if (statSync(bundled).mtimeMs >= statSync(plain).mtimeMs) entry = bundled;
} catch {
  /* no bundle: the compiled files */
}
const { fastShell, exitAfterDrain } = await import(entry.href);
const code = await fastShell(process.argv.slice(2));
if (code !== null) exitAfterDrain(code);
else {
  const { execute, settings } = await import('@oclif/core');
  settings.enableAutoTranspile = false; // compiled JavaScript only (see bin/run.js)
  await execute({ dir: import.meta.url, args: ['shell', ...process.argv.slice(2)] });
}
