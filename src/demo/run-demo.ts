// `grith demo`: a compromised agent tries every way out of a guarded session and grith stops each one.
//
// One temporary folder holds everything: a grith home with canaries (decoy files and variables), a workspace mounted
// through `grith mount --zone`, a local attacker (HTTP, HTTPS with its own CA, git smart HTTP) that records every
// byte. Each route is one `grith shell -c` (the real CLI, its own proxy and exec guard) run in the mounted zone; the
// guard that stopped it is read from the events the route left in the home. Everything is removed at the end, also
// when the demo is interrupted.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { GrithError } from '../core/errors.js';
import { compileMatcher } from '../core/matcher/index.js';
import type { Matcher } from '../core/matcher/types.js';
import { toTargets } from '../core/targets.js';
import { EventLog } from '../events/event-log.js';
import type { GrithEvent } from '../events/types.js';
import { forceUnmount, isMounted } from '../guards/fs/mount-table.js';
import { Attacker, type AttackerStats, type LeakFinding } from './attacker.js';
import { startDemoMount, type DemoMount } from './demo-mount.js';
import { grithBin } from '../session/shell/mount.js';
import { running, runCaptured, stopChild } from './procs.js';
import { ROUTES, type DemoRoute } from './routes.js';
import { createWorld, initProjectRepo, OUTSIDE, type DemoWorld } from './setup.js';
import { aptLineForPrograms } from '../install/prerequisites.js';

export class DemoUnavailableError extends GrithError {
  readonly code = 'DEMO_UNAVAILABLE';
}

export class DemoInterruptedError extends GrithError {
  readonly code = 'DEMO_INTERRUPTED';
  constructor(readonly signal: NodeJS.Signals) {
    super(`demo interrupted (${signal}); everything it started was cleaned up`);
  }
}

export type Verdict = 'stopped' | 'NOT STOPPED' | 'allowed' | 'CONTROL FAILED';

export interface DemoRow {
  id: string;
  route: string;
  /** The guard expected to stop it; null for the control. */
  expected: string | null;
  /** Guards that denied it, in the order they did ('-' when none). */
  guard: string;
  guards: string[];
  /** Guards that recorded an alert without denying (a decoy copied inside the zone, ...). */
  alerts: string[];
  /** Encoded form the first denying guard matched. */
  variant?: string;
  verdict: Verdict;
  exitCode: number | null;
  /** What reached the attacker during this route (requests that were cut off still count their bytes). */
  received: { connections: number; requests: number; bytes: number };
  /** A canary (any encoded form) was found in what the attacker received during this route. */
  leaked: boolean;
  ms: number;
}

export interface DemoResult {
  ok: boolean;
  rows: DemoRow[];
  routes: { attempted: number; stopped: number };
  canaries: { label: string; format: string; placements: string[] }[];
  attacker: {
    connections: number;
    requests: number;
    bytes: number;
    scannedBytes: number;
    canaryFound: boolean;
    findings: LeakFinding[];
    repoObjects: number;
  };
  /** The folder outside the zone holds no file carrying a canary. */
  outsideClean: boolean;
  /** The leak check finds a canary planted on purpose (it is not blind). */
  checkerSelfTest: boolean;
  eventsVerified: boolean;
  seconds: number;
}

export interface DemoProgress {
  step?(text: string): void;
  row?(row: DemoRow, index: number, total: number): void;
}

const ROUTE_TIMEOUT_MS = 40_000;
/** What the scripted agent runs; missing one would make a route fail for the wrong reason. */
const AGENT_TOOLS = ['bash', 'sh', 'env', 'curl', 'git', 'python3', 'gzip', 'od', 'tr', 'sed', 'base64', 'cat', 'cp'];

function onPath(name: string, pathVar: string): boolean {
  return pathVar.split(':').some((d) => d !== '' && existsSync(path.join(d, name)));
}

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    // The user's grith settings and proxies are not the demo's.
    if (/^GRITH_/.test(k) || /^(https?|all|no)_proxy$/i.test(k) || /^GIT_/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

async function readEvents(home: string): Promise<GrithEvent[]> {
  return new EventLog(home).readAll().catch(() => []);
}

/** Events since seq, once the log has stopped growing (the mount records from its own process). */
async function settledEventsAfter(home: string, seq: number): Promise<GrithEvent[]> {
  let last = -1;
  for (let i = 0; i < 30; i++) {
    const all = await readEvents(home);
    if (all.length === last) return all.filter((e) => e.seq > seq);
    last = all.length;
    await new Promise((r) => setTimeout(r, 80));
  }
  return (await readEvents(home)).filter((e) => e.seq > seq);
}

function lastSeq(events: GrithEvent[]): number {
  return events.length > 0 ? events[events.length - 1]!.seq : 0;
}

function delta(a: AttackerStats, b: AttackerStats): DemoRow['received'] {
  return { connections: b.connections - a.connections, requests: b.requests - a.requests, bytes: b.bytes - a.bytes };
}

function judge(route: DemoRoute, events: GrithEvent[], exitCode: number | null, received: DemoRow['received'], leaked: boolean): Omit<DemoRow, 'ms'> {
  const fired = events.filter((e) => e.kind === 'canary.fired');
  const denies = fired.filter((e) => e.action === 'deny');
  const guards = [...new Set(denies.map((e) => e.guard))];
  const alerts = [...new Set(fired.filter((e) => e.action === 'alert').map((e) => e.guard))].filter((g) => !guards.includes(g));
  let verdict: Verdict;
  if (route.expect === null) verdict = exitCode === 0 && fired.length === 0 && received.requests > 0 ? 'allowed' : 'CONTROL FAILED';
  else verdict = denies.length > 0 && !leaked ? 'stopped' : 'NOT STOPPED';
  return {
    id: route.id,
    route: route.title,
    expected: route.expect,
    guard: guards.length > 0 ? guards.join('+') : '-',
    guards,
    alerts,
    ...(denies[0]?.variant ? { variant: denies[0].variant } : {}),
    verdict,
    exitCode,
    received,
    leaked,
  };
}

async function outsideIsClean(world: DemoWorld, matcher: Matcher): Promise<boolean> {
  const dir = path.join(world.workspace, OUTSIDE);
  for (const name of await readdir(dir, { recursive: true })) {
    const buf = await readFile(path.join(dir, String(name))).catch(() => null);
    if (buf && matcher.scan(buf).length > 0) return false;
  }
  return true;
}

/** The check is only worth its "nothing found" if it finds a canary put there on purpose, plain and encoded. */
function selfTest(matcher: Matcher, world: DemoWorld): boolean {
  return world.canaries.every((c) => {
    const v = Buffer.from(c.value);
    return matcher.scan(Buffer.concat([Buffer.from('x='), v])).length > 0 && matcher.scan(Buffer.from('p' + v.toString('base64'))).length > 0;
  });
}

export async function runDemo(progress: DemoProgress = {}): Promise<DemoResult> {
  if (process.env.GRITH_EXEC_SOCK || process.env.GRITH_SESSION) {
    throw new DemoUnavailableError(
      'grith demo starts its own guarded sessions and cannot run inside a grith shell session',
      'run it from a plain terminal',
    );
  }
  // The agent's `node` is the one running grith.
  const pathVar = [path.dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(':');
  const missing = AGENT_TOOLS.filter((t) => !onPath(t, pathVar));
  if (missing.length > 0) {
    throw new DemoUnavailableError(`the demo's agent needs programs that are not installed: ${missing.join(', ')}`, aptLineForPrograms(missing));
  }
  const t0 = Date.now();
  let root: string | null = null;
  let world: DemoWorld | null = null;
  let attacker: Attacker | null = null;
  let mount: DemoMount | null = null;
  let mountChild: ChildProcess | null = null;

  // Interruption: end what runs now, let the main flow unwind into the cleanup below. A second signal is impatient.
  let interrupted: NodeJS.Signals | null = null;
  let abort: (e: Error) => void = () => undefined;
  const interruption = new Promise<never>((_, reject) => (abort = reject));
  interruption.catch(() => undefined);
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted) {
      for (const c of running) c.kill('SIGKILL');
      return;
    }
    interrupted = sig;
    for (const c of running) if (c !== mountChild) c.kill('SIGTERM');
    abort(new DemoInterruptedError(sig));
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  const step = <T>(p: Promise<T>): Promise<T> => Promise.race([p, interruption]);

  try {
    progress.step?.('planting canaries in a temporary home and workspace');
    world = await step(createWorld((r) => (root = r)));
    const w = world;
    const gitEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: w.root, ...w.gitEnv };
    progress.step?.('starting the attacker (HTTP, HTTPS with its own CA, git smart HTTP) on 127.0.0.1');
    attacker = await step(Attacker.start(w.attackerDir, gitEnv));
    const atk = attacker;
    await step(initProjectRepo(w, atk.gitUrl()));

    const env: Record<string, string> = {
      ...cleanEnv(),
      PATH: pathVar,
      ...w.gitEnv,
      GRITH_HOME: w.home,
      // The session proxy verifies upstreams; the attacker's certificate comes from its own CA.
      GRITH_UPSTREAM_CA: atk.caFile,
      NO_COLOR: '1',
      // One session per command, in this process tree: no background shell host outlives the demo.
      GRITH_SHELL_HOST: '0',
    };
    progress.step?.(`mounting the workspace through grith mount (zone: ${w.zone}/)`);
    mount = await step(
      startDemoMount({ source: w.workspace, mountpoint: w.mountpoint, zone: w.zone, env, onChild: (c) => (mountChild = c) }),
    );
    const cwd = path.join(mount.mountpoint, w.zone);
    const matcher = compileMatcher(toTargets(w.canaries));
    const bin = grithBin();

    progress.step?.(`the compromised agent runs ${ROUTES.length} commands through grith shell`);
    const rows: DemoRow[] = [];
    for (const [i, route] of ROUTES.entries()) {
      const started = Date.now();
      const seq = lastSeq(await readEvents(w.home));
      const before = atk.mark();
      const r = await step(runCaptured(process.execPath, [bin, 'shell', '-c', route.script(atk)], { cwd, env, timeoutMs: ROUTE_TIMEOUT_MS }));
      // Debugging aid: the agent's own output (grith's banners in it mask every token).
      if (process.env.GRITH_DEMO_DEBUG === '1') process.stderr.write(`--- ${route.id} exit ${r.code}\n${r.stderr}${r.stdout}\n`);
      const events = await step(settledEventsAfter(w.home, seq));
      const leaked = atk.scanReceived(matcher, before).findings.length > 0;
      const row: DemoRow = { ...judge(route, events, r.code, delta(before, atk.stats()), leaked), ms: Date.now() - started };
      rows.push(row);
      progress.row?.(row, i, ROUTES.length);
    }

    progress.step?.('checking everything the attacker received for any form of any canary');
    const leak = await step(atk.leakCheck(matcher, gitEnv));
    const outsideClean = await step(outsideIsClean(w, matcher));
    const eventsVerified = (await new EventLog(w.home).verify()).ok;
    const checkerSelfTest = selfTest(matcher, w);
    const attacks = rows.filter((r) => r.expected !== null);
    const stopped = attacks.filter((r) => r.verdict === 'stopped').length;
    const totals = atk.stats();
    const ok =
      stopped === attacks.length &&
      rows.every((r) => r.verdict === 'stopped' || r.verdict === 'allowed') &&
      leak.findings.length === 0 &&
      leak.repoObjects === 0 &&
      outsideClean &&
      checkerSelfTest &&
      eventsVerified;
    return {
      ok,
      rows,
      routes: { attempted: attacks.length, stopped },
      canaries: w.canaries.map((c) => ({
        label: c.label,
        format: c.format,
        placements: c.placements.map((p) => (p.kind === 'decoy' ? `decoy ${p.rel}` : p.kind === 'env' ? `env $${p.name}` : `file ${p.path}`)),
      })),
      attacker: {
        ...totals,
        scannedBytes: leak.scannedBytes,
        canaryFound: leak.findings.length > 0,
        findings: leak.findings,
        repoObjects: leak.repoObjects,
      },
      outsideClean,
      checkerSelfTest,
      eventsVerified,
      seconds: Math.round((Date.now() - t0) / 100) / 10,
    };
  } finally {
    progress.step?.(interrupted ? `interrupted (${interrupted}): cleaning up` : 'cleaning up');
    await Promise.all([...running].filter((c) => c !== mountChild).map((c) => stopChild(c, 3000)));
    let unmounted = true;
    if (mount) unmounted = await mount.stop();
    else if (mountChild) {
      await stopChild(mountChild, 10_000);
      if (world && (await isMounted(world.mountpoint))) unmounted = await forceUnmount(world.mountpoint);
    }
    await attacker?.close().catch(() => undefined);
    // Never remove a folder a mount still serves: a recursive delete would go through it.
    if (root && unmounted) await rm(root, { recursive: true, force: true }).catch(() => undefined);
    for (const s of signals) process.off(s, onSignal);
  }
}
