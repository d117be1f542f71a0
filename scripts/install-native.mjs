#!/usr/bin/env node
// Builds grith's native parts in place: the exec-guard library, grith-launch (the sandbox's seccomp exec supervisor),
// the patched fuse-native addon and node-pty's addon.
// npm runs it after installing grith (postinstall); `grith doctor --fix` runs it again. Each part is skipped when
// already built. As postinstall it never fails the install: a part that cannot be built is reported here, and the
// first command that needs it says what to install and to run `grith doctor --fix`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rebuildAddon } from './node-gyp.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const asPostinstall = process.env.npm_lifecycle_event === 'postinstall';
const failed = [];

function step(name, run) {
  try {
    run();
    process.stdout.write(`grith install: ${name}: ok\n`);
  } catch (e) {
    failed.push(name);
    process.stderr.write(`grith install: ${name}: ${e.message}\n`);
  }
}

function script(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.code ?? r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} failed (see above)`);
}

step('exec guard library', () => script('/bin/sh', [join(here, 'build-native.sh'), 'execguard'], 'building the exec guard'));
step('seccomp exec supervisor (grith-launch)', () =>
  script('/bin/sh', [join(here, 'build-native.sh'), 'launch'], 'building grith-launch'),
);
step('patched FUSE binding', () => script(process.execPath, [join(here, 'patch-fuse-native.mjs')], 'patching fuse-native'));
step('PTY binding (node-pty)', () => {
  const req = createRequire(join(root, 'package.json'));
  try {
    req('node-pty');
    return;
  } catch {
    // Not built: npm skipped its install script (an allowScripts policy, --ignore-scripts) or the build failed.
  }
  const dir = dirname(req.resolve('node-pty/package.json'));
  rebuildAddon(dir, "node-pty's addon");
  req('node-pty');
});

if (failed.length > 0) {
  process.stderr.write(
    `grith install: not built: ${failed.join(', ')}. grith installed; run "grith doctor" for what is missing and ` +
      `"grith doctor --fix" to build it once it is there.\n`,
  );
}
process.exit(failed.length > 0 && !asPostinstall ? 1 : 0);
