// Rebuilds a native addon in place with the node-gyp that ships with npm, against the running node's headers when
// they are installed next to it (distribution node), so no header download is needed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** node-gyp's entry script: npm's own during an npm script, else the copy bundled with the running node's npm. */
export function findNodeGyp() {
  const prefix = join(dirname(process.execPath), '..');
  const candidates = [
    process.env.npm_config_node_gyp,
    join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(prefix, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** `node-gyp rebuild` in dir; throws with a one-line reason when it cannot run or fails. */
export function rebuildAddon(dir, what) {
  const gyp = findNodeGyp();
  if (!gyp) throw new Error(`node-gyp not found (it ships with npm); cannot build ${what}`);
  const prefix = join(dirname(process.execPath), '..');
  const args = [gyp, 'rebuild'];
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const r = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`building ${what} failed (needs a C/C++ compiler, make and python3)`);
}
