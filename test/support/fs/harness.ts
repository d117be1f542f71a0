// Mounts a grith workspace inside the test worker and runs real programs against it.
//
// The worker's main thread serves the mount, so nothing here may touch the mount synchronously, and clients are
// spawned with their cwd OUTSIDE the mount (libuv's spawn waits for the child's chdir/exec: a cwd inside the mount
// would deadlock); the command line does `cd` itself.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Canary } from '../../../src/core/canary.js';
import { formatDecoyContent } from '../../../src/guards/fs/decoy-content.js';
import { mountWorkspace, type MountedWorkspace } from '../../../src/guards/fs/mount.js';
import { forceUnmount, isMounted } from '../../../src/guards/fs/mount-table.js';
import type { ZonePolicy } from '../../../src/guards/fs/workspace-fs.js';
import { TestGuardContext } from '../guard-context.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Harness {
  base: string;
  src: string;
  mnt: string;
  ctx: TestGuardContext;
  mounted: MountedWorkspace;
  /** bash -c CMD with cwd = the mount (or `cwd`, relative to the mount); never throws on a non-zero exit. */
  sh(cmd: string, opts?: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult>;
  close(): Promise<void>;
}

export function testEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'grith test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'grith test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

export function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 25_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    p.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(e) });
    });
  });
}

export async function startMount(
  opts: { canaries?: Canary[]; zones?: string[]; zonePolicy?: ZonePolicy; cacheSeconds?: number; readOnlyOutsideZone?: boolean; agentState?: string[] } = {},
): Promise<Harness> {
  const base = await mkdtemp(join(tmpdir(), 'grith-fs-'));
  const src = join(base, 'src');
  const mnt = join(base, 'mnt');
  await mkdir(src);
  await mkdir(mnt);
  await mkdir(join(base, 'home'));
  const ctx = new TestGuardContext(opts.canaries ?? []);
  const mounted = await mountWorkspace({
    source: src,
    mountpoint: mnt,
    zones: opts.zones,
    zonePolicy: opts.zonePolicy,
    ctx,
    decoyContent: formatDecoyContent(),
    cacheSeconds: opts.cacheSeconds,
    readOnlyOutsideZone: opts.readOnlyOutsideZone,
    agentState: opts.agentState,
  });
  const env = testEnv(join(base, 'home'));
  return {
    base,
    src,
    mnt,
    ctx,
    mounted,
    sh(cmd, o = {}) {
      const dir = o.cwd ? join(mnt, o.cwd) : mnt;
      return run('bash', ['-c', `cd "$1" || exit 99\n${cmd}`, 'bash', dir], {
        cwd: base,
        env: { ...env, MNT: mnt, SRC: src, BASE: base, ...o.env },
        timeoutMs: o.timeoutMs,
      });
    },
    async close() {
      await mounted.close().catch(() => undefined);
      if (await isMounted(mnt)) await forceUnmount(mnt);
      await rm(base, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}
