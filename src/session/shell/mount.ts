// `grith shell --mount SRC:DST`: the workspace mount runs as a child `grith mount` process (a FUSE server must
// never share an event loop with anything that could block it), started before the session and stopped after it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { MountError } from '../../core/errors.js';

export interface SessionMount {
  mountpoint: string;
  stop(): Promise<void>;
}

/** bin/run.js of this installation, found from src/ (tests) or dist/src/ (installed). */
export function grithBin(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'bin', 'run.js');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new MountError('cannot find grith bin/run.js to start the mount', 'reinstall grith');
}

export interface MountChild {
  child: ChildProcess;
  /** True once the mount answered "mounted"; false when it exited or did not come up within 30 s. */
  ready: Promise<boolean>;
  /** The first line the mount wrote on stderr (why it failed), without its "grith: " prefix. */
  why(): string;
}

/** A child `grith mount SOURCE MOUNTPOINT [--zone REL]… [--zone-policy P] --json`, and when it is up. */
export function spawnMount(o: {
  source: string;
  mountpoint: string;
  zones?: readonly string[];
  zonePolicy?: string;
  writable?: readonly string[];
  agentState?: readonly string[];
  shownAt?: string;
  session?: string;
  env: NodeJS.ProcessEnv;
}): MountChild {
  const zoneArgs = (o.zones ?? []).flatMap((z) => ['--zone', z]);
  if (o.zonePolicy) zoneArgs.push('--zone-policy', o.zonePolicy);
  for (const w of o.writable ?? []) zoneArgs.push('--writable', w);
  for (const w of o.agentState ?? []) zoneArgs.push('--agent-state', w);
  if (o.shownAt) zoneArgs.push('--shown-as', o.shownAt);
  if (o.session) zoneArgs.push('--session', o.session);
  // --quiet: the session shows the mount's events itself (it follows the log), the child's stderr is only for errors.
  const child = spawn(process.execPath, [grithBin(), 'mount', o.source, o.mountpoint, ...zoneArgs, '--json', '--quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: o.env,
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const ready = new Promise<boolean>((res) => {
    let out = '';
    const t = setTimeout(() => res(false), 30_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (/"mounted"/.test(out) && out.includes('\n')) {
        clearTimeout(t);
        res(true);
      }
    });
    child.once('exit', () => {
      clearTimeout(t);
      res(false);
    });
  });
  return { child, ready, why: () => stderr.trim().split('\n')[0]?.replace(/^grith: /, '') || 'the mount did not come up' };
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((r) => {
    const t = setTimeout(() => r(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      r(true);
    });
  });
}

export async function startSessionMount(opts: {
  home: string;
  source: string;
  target: string;
  /** Working zone, relative to the mount (default: the whole mount) and what a canary write inside it gets. */
  zones?: readonly string[];
  zonePolicy?: 'alert' | 'deny';
  /** A read-only view but for these paths (the session's home), and which of them are the agent's own state. */
  writable?: readonly string[];
  agentState?: readonly string[];
  /** Where the session's programs see the mount (events name paths there). */
  shownAt?: string;
  /** The session the mount's events belong to. */
  session?: string;
}): Promise<SessionMount> {
  const mountpoint = resolve(opts.target);
  await mkdir(mountpoint, { recursive: true });
  const { child, ready: up, why } = spawnMount({
    source: resolve(opts.source),
    mountpoint,
    zones: opts.zones,
    zonePolicy: opts.zonePolicy,
    writable: opts.writable,
    agentState: opts.agentState,
    shownAt: opts.shownAt,
    session: opts.session,
    env: { ...process.env, GRITH_HOME: opts.home },
  });
  const ready = await up;
  if (!ready) {
    child.kill('SIGTERM');
    await waitExit(child, 5000);
    throw new MountError(`cannot mount ${opts.source} at ${mountpoint}: ${why()}`, 'try grith mount SRC DST on its own to see why');
  }

  return {
    mountpoint,
    async stop() {
      child.kill('SIGTERM');
      if (!(await waitExit(child, 10_000))) {
        child.kill('SIGKILL');
        await waitExit(child, 2000);
      }
    },
  };
}
