#!/usr/bin/env node
// Applies grith's fixes to fuse-native 2.2.6 (caller pid/uid, create flags, utimens, NULL paths, raw mount options)
// and rebuilds its addon into build/Release, which node-gyp-build loads before the unpatched prebuild. Idempotent.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  if (r.status !== 0) fail('patch did not apply cleanly (is the patch program installed?)');
}

const built = join(dir, 'build', 'Release', 'fuse.node');
const stale = !existsSync(built) || statSync(built).mtimeMs < statSync(csrc).mtimeMs || process.argv.includes('--force');
if (stale) {
  // node-gyp ships with npm; headers come from the running node's prefix when they are installed there (distro node).
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  const gyp = candidates.find((p) => existsSync(p));
  if (!gyp) fail('node-gyp not found (it ships with npm)');
  const prefix = join(dirname(process.execPath), '..');
  const args = [gyp, 'rebuild'];
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const r = spawnSync(process.execPath, args, { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) fail('building the patched fuse-native addon failed (needs g++, make, python3)');
}
process.stdout.write(`patch-fuse-native: fuse-native ${version} patched and built (${built})\n`);
