#!/usr/bin/env node
// grith-shell: `grith shell` under a name an agent can take as its $SHELL (SHELL=grith-shell agent → `$SHELL -c CMD`).
// `-c` takes the lean path (no oclif); anything else is handed to `grith shell` through oclif.
const { fastShell, exitAfterDrain } = await import('../dist/src/session/shell-fast.js');
const code = await fastShell(process.argv.slice(2));
if (code !== null) exitAfterDrain(code);
else {
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url, args: ['shell', ...process.argv.slice(2)] });
}
