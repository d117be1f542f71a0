// The scanning views a session's program works through: its workspace (decoys served, every write judged by the
// zone) and, in a sandbox, its home — read-only but for the agent's own state and the package caches, every write
// there scanned. Each view is a child `grith mount`; in a sandbox it is bound over the path it serves.
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { SandboxBind } from './sandbox.js';
import { startSessionMount, type SessionMount } from './mount.js';

/** Where agents keep their own state in a home: a canary they write there is recorded (canary.persisted), not refused. */
export const AGENT_STATE_PATHS = ['.claude', '.claude.json*', '.codex', '.gemini', '.aider*'];
/** Caches and histories tools write during ordinary work: writable, and a canary written there is denied. */
export const CACHE_PATHS = [
  '.npm',
  '.cache',
  '.cargo',
  '.rustup',
  '.yarn',
  '.pnpm-store',
  '.local/share/pnpm',
  '.bun',
  '.gradle',
  '.m2',
  'go/pkg',
  '.bash_history',
  '.python_history',
  '.node_repl_history',
  '.lesshst',
  '.wget-hsts',
  '.viminfo',
];

/** `--mount SRC[:DST] [--zone REL]... [--zone-policy alert|deny]`. */
export interface SessionMountSpec {
  source: string;
  /** Where the view is seen; absent: over SOURCE itself (in a sandbox), the program's real path. */
  target?: string;
  zones?: string[];
  zonePolicy?: 'alert' | 'deny';
}

export interface ViewsInput {
  grithHome: string;
  session: string;
  /** The session's private folder: views with no place of their own are mounted below it. */
  dir: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  mount?: SessionMountSpec;
  /** A session that runs a program (or a shell) in a sandbox: its home is a view, its folder the workspace. */
  programInSandbox: boolean;
  sandboxed: boolean;
  /** --writable PATH: more writable paths (scanned like the caches). */
  writable?: readonly string[];
}

export interface Views {
  /** Where the program starts, as it sees it. */
  cwd: string;
  /** Bound over the paths they serve (home first, the workspace on top). */
  binds: SandboxBind[];
  workspace?: { source: string; shownAt: string };
  mounts: SessionMount[];
}

const SYSTEM = ['/usr', '/etc', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/boot', '/proc', '/sys', '/dev', '/run', '/var', '/opt', '/snap'];
const under = (p: string, dir: string) => p === dir || p.startsWith(dir + sep);

/** Without --mount, the folder a sandboxed program starts in is its workspace: if it is the user's, not a system's. */
export function autoWorkspace(cwd: string, home: string | undefined): boolean {
  if (cwd === '/' || (home && under(home, cwd))) return false;
  if (SYSTEM.some((d) => under(cwd, d)) && !under(cwd, '/var/tmp')) return false;
  try {
    accessSync(cwd, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export async function startViews(i: ViewsInput): Promise<Views> {
  const home = i.env.HOME && i.env.HOME !== '/' && existsSync(i.env.HOME) ? realpathSync(i.env.HOME) : undefined;
  const cwd = realpathSync(i.cwd);
  const spec = i.mount ?? (i.programInSandbox && autoWorkspace(cwd, home) ? { source: cwd } : undefined);
  const starts: Array<Promise<{ mount: SessionMount; bind: SandboxBind; first: boolean }>> = [];
  let workspace: Views['workspace'];
  if (spec) {
    const source = realpathSync(resolve(spec.source));
    // Outside a sandbox the view can only be seen where it is mounted; inside one it is bound over its source.
    const target = spec.target ? resolve(spec.target) : i.sandboxed ? join(i.dir, 'ws') : undefined;
    if (!target) throw new Error('--mount SRC without :DST needs the sandbox (or give --mount SRC:DST)');
    const shownAt = spec.target || !i.sandboxed ? target : source;
    workspace = { source, shownAt };
    starts.push(
      startSessionMount({ home: i.grithHome, source, target, zones: spec.zones, zonePolicy: spec.zonePolicy, shownAt, session: i.session }).then((mount) => ({
        mount,
        bind: { src: mount.mountpoint, dst: shownAt, rw: true, view: true },
        first: false,
      })),
    );
  }
  const writableInHome = (i.writable ?? []).map((p) => resolve(p)).filter((p) => home && under(p, home) && p !== home);
  if (i.programInSandbox && home && !(workspace && under(home, workspace.source))) {
    starts.push(
      startSessionMount({
        home: i.grithHome,
        source: home,
        target: join(i.dir, 'home'),
        writable: [...CACHE_PATHS, ...writableInHome.map((p) => p.slice(home.length + 1))],
        agentState: AGENT_STATE_PATHS,
        shownAt: home,
        session: i.session,
      }).then((mount) => ({ mount, bind: { src: mount.mountpoint, dst: home, rw: true, view: true }, first: true })),
    );
  }
  // --writable outside the home: a view of its own, everything writable, a canary denied.
  for (const [n, p] of (i.writable ?? []).map((w) => resolve(w)).filter((w) => !writableInHome.includes(w)).entries()) {
    starts.push(
      startSessionMount({ home: i.grithHome, source: p, target: join(i.dir, `w${n}`), zonePolicy: 'deny', shownAt: p, session: i.session }).then((mount) => ({
        mount,
        bind: { src: mount.mountpoint, dst: p, rw: true, view: true },
        first: false,
      })),
    );
  }
  const settled = await Promise.allSettled(starts);
  const ok = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(ok.map((v) => v.mount.stop().catch(() => undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  const ordered = [...ok.filter((v) => v.first), ...ok.filter((v) => !v.first)];
  return {
    cwd: i.mount && workspace ? workspace.shownAt : cwd,
    binds: ordered.map((v) => v.bind),
    ...(workspace ? { workspace } : {}),
    mounts: ordered.map((v) => v.mount),
  };
}
