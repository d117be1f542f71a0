// The agents' install cache (test/support/agents/install.ts) with a small real package from the registry: parallel
// callers install once, a warm cache does not run npm, a dead holder's lock is taken over, and a failed install
// says what failed and leaves nothing half-installed behind.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentTestsSkipped, installCached } from '../support/agents/install.js';

const run = promisify(execFile);
const PKG = ['semver', '7.6.3', 'node_modules/semver/bin/semver.js', 'semver'] as const;

describe.skipIf(agentTestsSkipped())('agent install cache', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'grith-agent-cache-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('installs once for parallel callers, then serves the cache without npm', async () => {
    const [a, b, c] = await Promise.all([installCached(root, ...PKG), installCached(root, ...PKG), installCached(root, ...PKG)]);
    expect([a, b, c].filter((x) => x.installed).length).toBe(1);
    expect(new Set([a.bin, b.bin, c.bin]).size).toBe(1);
    const { stdout } = await run(process.execPath, [a.bin, '1.2.3']);
    expect(stdout.trim()).toBe('1.2.3');
    // No temporary folder or lock is left next to the installed one.
    expect((await readdir(root)).sort()).toEqual(['semver@7.6.3']);
    const again = await installCached(root, ...PKG);
    expect(again.installed).toBe(false);
  }, 120_000);

  it('takes over the lock of a holder that died', async () => {
    const other = path.join(root, 'stale');
    await mkdir(path.join(other, 'semver@7.6.3.lock'), { recursive: true });
    // A pid that cannot be alive (above the kernel's pid_max).
    await writeFile(path.join(other, 'semver@7.6.3.lock', 'pid'), '99999999');
    const t0 = Date.now();
    const r = await installCached(other, ...PKG);
    expect(r.installed).toBe(true);
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(existsSync(path.join(other, 'semver@7.6.3.lock'))).toBe(false);
  }, 120_000);

  it('a failed install names the package and the way out, and leaves nothing behind', async () => {
    const bad = path.join(root, 'bad');
    await expect(installCached(bad, 'semver', '0.0.0-does-not-exist', 'node_modules/semver/bin/semver.js', 'semver')).rejects.toThrow(
      /npm install semver@0\.0\.0-does-not-exist failed[\s\S]*GRITH_AGENT_TESTS=skip/,
    );
    expect(await readdir(bad)).toEqual([]);
  }, 120_000);
});
