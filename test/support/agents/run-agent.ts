// Run a real agent once, as the agent user with a private HOME: directly in its project folder, or inside a real
// `grith shell --mount SRC:DST [FLAGS] -- AGENT ARGS` session. Every process started here is ended (its group) and
// the mount released before the promise resolves, also after a time-out.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { forceUnmount, isMounted } from '../../../src/guards/fs/mount-table.js';
import { BIN } from '../cli.js';
import type { InstalledAgent } from './install.js';
import type { AgentUser } from './os-user.js';

export interface AgentRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Whether the time limit ended it. */
  timedOut: boolean;
  /** The pid of the process spawned (the agent directly, or grith). */
  pid: number;
}

export interface RunSpec {
  agent: InstalledAgent;
  user: AgentUser;
  /** The private HOME. */
  home: string;
  args: string[];
  /** The agent's own variables (profile.env), on top of a minimal user environment. */
  env: Record<string, string>;
  /** Direct run: the project folder. */
  cwd: string;
  /** Through grith: GRITH_HOME, the mount (SRC:DST) and extra `grith shell` flags. */
  grith?: { home: string; src: string; dst: string; flags?: string[]; env?: Record<string, string> };
  timeoutMs?: number;
  /** What the agent reads on stdin (then end of input). */
  stdin?: string;
  /** Called with the spawned pid (to watch the process tree while it runs). */
  onSpawn?: (pid: number) => void;
}

/** What a user's login gives the agent: PATH with the agent first, a UTF-8 locale, a terminal type. */
export function userEnv(spec: Pick<RunSpec, 'agent' | 'home' | 'env' | 'grith'>): NodeJS.ProcessEnv {
  return {
    PATH: `${spec.agent.binDir}:/usr/local/bin:/usr/bin:/bin`,
    HOME: spec.home,
    USER: 'agent',
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    SHELL: '/bin/bash',
    NO_COLOR: '1',
    ...(spec.grith ? { GRITH_HOME: spec.grith.home, GRITH_SHELL_HOST: '0', ...spec.grith.env } : {}),
    ...spec.env,
  };
}

/** Terminal output as text: the PTY's CRLF and escape sequences removed (what a reader of the screen sees). */
export function screenText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]/g, '').replace(/\r\n?/g, '\n');
}

export async function runAgent(spec: RunSpec): Promise<AgentRun> {
  const [cmd, args, cwd] = spec.grith
    ? [process.execPath, [BIN, 'shell', '--mount', `${spec.grith.src}:${spec.grith.dst}`, ...(spec.grith.flags ?? []), '--', spec.agent.bin, ...spec.args], spec.cwd]
    : [spec.agent.bin, spec.args, spec.cwd];
  const t0 = performance.now();
  const child = spawn(cmd, args, {
    cwd,
    env: userEnv(spec),
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    ...(spec.user.switch ? { uid: spec.user.uid, gid: spec.user.gid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(spec.stdin ?? '');
  if (child.pid) spec.onSpawn?.(child.pid);
  let timedOut = false;
  const killGroup = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* gone */
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup('SIGTERM');
    setTimeout(() => killGroup('SIGKILL'), 5_000).unref();
  }, spec.timeoutMs ?? 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve([c, s]));
  });
  clearTimeout(timer);
  const ms = performance.now() - t0;
  // Whatever the agent left running in its group (a background tool) ends with the run.
  killGroup('SIGKILL');
  if (spec.grith) {
    for (let i = 0; i < 50 && (await isMounted(spec.grith.dst)); i++) await sleep(100);
    if (await isMounted(spec.grith.dst)) await forceUnmount(spec.grith.dst);
  }
  return { code, signal, stdout, stderr, ms, timedOut, pid: child.pid ?? 0 };
}

export function describeRun(r: AgentRun): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}${r.timedOut ? ' TIMED OUT' : ''} in ${Math.round(r.ms)} ms\n--- stdout ---\n${screenText(r.stdout).slice(-3000)}\n--- stderr ---\n${screenText(r.stderr).slice(-3000)}`;
}
