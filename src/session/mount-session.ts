// A `grith mount` session: store + event log -> guard context -> FUSE workspace, registered while it runs, taken
// down cleanly on SIGINT/SIGTERM or when someone unmounts it from outside.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { GrithError } from '../core/errors.js';
import { formatDecoyContent } from '../guards/fs/decoy-content.js';
import { mountWorkspace, preflight, type MountedWorkspace } from '../guards/fs/mount.js';
import { isMounted } from '../guards/fs/mount-table.js';
import { removeMountRecord, writeMountRecord, type MountRecord } from '../guards/fs/registry.js';
import type { ZonePolicy } from '../guards/fs/workspace-fs.js';
import type { GrithEvent } from '../events/types.js';
import { openGuardContext } from './guard-context.js';

export interface MountSessionOptions {
  home: string;
  source: string;
  mountpoint: string;
  zones: string[];
  zonePolicy: ZonePolicy;
  /** A read-only view but for these paths (canaries written there are denied) and agentState. */
  writable?: string[];
  /** The path the mount is seen at (events name it). */
  shownAt?: string;
  /** The shell session it serves (stamped on its events). */
  session?: string;
  /** Writable paths that are the agent's own state (a canary written there is recorded as canary.persisted). */
  agentState?: string[];
  /** Each event the mount records, once written (the command's banner on stderr). */
  onRecorded?: (e: GrithEvent) => void;
}

export interface MountReady {
  source: string;
  mountpoint: string;
  zones: string[];
  zonePolicy: ZonePolicy;
  decoys: string[];
  pid: number;
  cleanedStale: boolean;
  /** Set when the store could not be loaded: the mount serves, every write is refused until it is fixed. */
  storeError?: { code: string; message: string; hint?: string };
}

export interface MountSession {
  ready: MountReady;
  /** Resolves with the reason the session ended, after the mount is gone and events are written. */
  done: Promise<'signal' | 'unmounted'>;
  stop(): Promise<void>;
}

export async function startMountSession(o: MountSessionOptions): Promise<MountSession> {
  const pre = await preflight(o); // fail before touching the store when the mount cannot work anyway
  const ctx = await openGuardContext(o.home, { mode: 'live', session: o.session, onRecorded: o.onRecorded });
  let mounted: MountedWorkspace;
  try {
    mounted = await mountWorkspace({
      source: pre.source,
      mountpoint: pre.mountpoint,
      ...(o.writable || o.agentState
        ? { zones: [...(o.writable ?? []), ...(o.agentState ?? [])], zonePolicy: 'deny' as const, readOnlyOutsideZone: true, agentState: o.agentState ?? [] }
        : { zones: o.zones, zonePolicy: o.zonePolicy }),
      ctx,
      decoyContent: formatDecoyContent(),
      // grith's own state: this home, and the default one when this is another (both out of an agent's sight).
      hide: [o.home, join(homedir(), '.grith')],
      ...(o.shownAt ? { shownAt: o.shownAt } : {}),
    });
  } catch (e) {
    await ctx.close();
    throw e;
  }
  const record: MountRecord = {
    pid: process.pid,
    source: mounted.source,
    mountpoint: mounted.mountpoint,
    zones: mounted.zone.paths.slice(),
    zonePolicy: o.zonePolicy,
    startedAt: new Date().toISOString(),
  };
  await writeMountRecord(o.home, record);
  const zoneText = record.zones.length ? record.zones.join(', ') : 'whole mount';
  ctx.record({
    kind: 'guard.started',
    guard: 'fs',
    action: 'info',
    where: mounted.mountpoint,
    message: `mount of ${mounted.source} (zone: ${zoneText}, policy ${o.zonePolicy})`,
  });
  const snap = ctx.snapshot();
  const err = snap.error as GrithError | undefined;
  const ready: MountReady = {
    source: mounted.source,
    mountpoint: mounted.mountpoint,
    zones: record.zones,
    zonePolicy: o.zonePolicy,
    decoys: [...mounted.fs.decoys().files.keys()].sort(),
    pid: process.pid,
    cleanedStale: pre.cleanedStale || mounted.cleanedStale,
    ...(err ? { storeError: err.toJSON() } : {}),
  };

  let stopping: Promise<void> | null = null;
  let resolveDone!: (r: 'signal' | 'unmounted') => void;
  const done = new Promise<'signal' | 'unmounted'>((r) => (resolveDone = r));
  const finish = (reason: 'signal' | 'unmounted') => {
    stopping ??= (async () => {
      clearInterval(watch);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
      await mounted.close().catch(() => undefined);
      ctx.record({ kind: 'guard.stopped', guard: 'fs', action: 'info', where: mounted.mountpoint, message: `unmounted (${reason})` });
      await ctx.close().catch(() => undefined);
      await removeMountRecord(o.home, mounted.mountpoint, process.pid).catch(() => undefined);
      resolveDone(reason);
    })();
    return stopping;
  };
  const onSignal = () => void finish('signal');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // Unmounted from outside (fusermount -u): nothing left to serve; end the session.
  const watch = setInterval(() => {
    void isMounted(mounted.mountpoint).then((m) => {
      if (!m) void finish('unmounted');
    });
  }, 1000);

  return { ready, done, stop: () => finish('signal') };
}
