#!/usr/bin/env node
// Applies grith's fixes to fuse-native 2.2.6 (caller pid/uid, create flags, utimens, NULL paths, raw mount options)
// and rebuilds its addon into build/Release, which node-gyp-build loads before the unpatched prebuild. Idempotent.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rebuildAddon } from './node-gyp.mjs';

const MARKER = 'grith-patch-version: 2';
const ANY_GRITH = 'grith: caller of the current request';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const patchFile = join(root, 'patches', 'fuse-native+2.2.6.patch');

function fail(msg) {
  process.stderr.write(`patch-fuse-native: ${msg}\n`);
  process.exit(1);
}

let dir;
try {
  dir = dirname(createRequire(join(root, 'package.json')).resolve('fuse-native/package.json'));
} catch {
  fail('fuse-native is not installed (npm install first)');
}
const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
if (version !== '2.2.6') fail(`expected fuse-native 2.2.6, found ${version}; update patches/`);

const csrc = join(dir, 'fuse-native.c');
const current = readFileSync(csrc, 'utf8');
if (!current.includes(MARKER) && current.includes(ANY_GRITH)) {
  fail(`fuse-native carries an older grith patch; reinstall it pristine (rm -rf ${dir} && npm ci), then rerun`);
}
if (!current.includes(MARKER)) {
  const r = spawnSync('patch', ['-p1', '-N', '-d', dir, '-i', patchFile], { stdio: 'inherit' });
  if (r.error?.code === 'ENOENT') fail('the patch program is not installed (apt-get install patch)');
  if (r.status !== 0) fail('patch did not apply cleanly');
}

const built = join(dir, 'build', 'Release', 'fuse.node');
const stale = !existsSync(built) || statSync(built).mtimeMs < statSync(csrc).mtimeMs || process.argv.includes('--force');
if (stale) {
  try {
    rebuildAddon(dir, 'the patched fuse-native addon');
  } catch (e) {
    fail(e.message);
  }
}
process.stdout.write(`patch-fuse-native: fuse-native ${version} patched and built (${built})\n`);
