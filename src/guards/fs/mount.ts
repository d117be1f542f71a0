// Mounting a grith workspace: preflight (clear errors for every fault a user meets), mount, and a clean unmount.
import { readdir, realpath, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { MountError } from '../../core/errors.js';
import type { GuardContext } from '../guard-context.js';
import type { DecoyContentFn } from './decoys.js';
import { checkFuseDevice, loadFuse, type FuseInstance } from './fuse-binding.js';
import { forceUnmount, isMounted, mountState } from './mount-table.js';
import { Zone } from './paths.js';
import { WorkspaceFs, type ZonePolicy } from './workspace-fs.js';

export interface MountOptions {
  source: string;
  mountpoint: string;
  zones?: readonly string[];
  zonePolicy?: ZonePolicy;
  ctx: GuardContext;
  decoyContent: DecoyContentFn;
  /** Absolute paths to keep out of the mount when they lie inside SOURCE (grith's home: the store and event log). */
  hide?: readonly string[];
  /** A read-only view except the zone (EROFS + write.refused outside it), serving no decoys: a sandboxed session's home. */
  readOnlyOutsideZone?: boolean;
  /** Zone paths that are the agent's own state: a canary written there is canary.persisted, not refused. */
  agentState?: readonly string[];
  /** The path the mount is seen at by its users (a sandbox binds it over its source): events name that. */
  shownAt?: string;
  /** Kernel attribute/entry cache in seconds (default 1): bounds how long a removed decoy stays visible. */
  cacheSeconds?: number;
}

export interface MountedWorkspace {
  source: string;
  mountpoint: string;
  zone: Zone;
  fs: WorkspaceFs;
  /** True when a dead mount of this point was cleaned before mounting. */
  cleanedStale: boolean;
  close(): Promise<void>;
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code ?? err?.message ?? String(e);
}

export async function preflight(o: Pick<MountOptions, 'source' | 'mountpoint' | 'zones'>): Promise<{
  source: string;
  mountpoint: string;
  zone: Zone;
  cleanedStale: boolean;
}> {
  let zone: Zone;
  try {
    zone = Zone.parse(o.zones ?? []);
  } catch (e) {
    throw new MountError((e as Error).message, 'a zone is a path relative to the mount, e.g. --zone src');
  }
  await checkFuseDevice();

  let source: string;
  try {
    source = await realpath(resolve(o.source));
    if (!(await stat(source)).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MountError(
      code === 'ENOTDIR' ? `source ${o.source} is not a folder` : `source ${o.source} does not exist (${errText(e)})`,
      'give the workspace folder to serve as SOURCE',
    );
  }

  const mountpoint = resolve(o.mountpoint);
  let cleanedStale = false;
  const state = await mountState(mountpoint);
  if (state === 'dead') {
    // A grith mount whose process was killed: clean it so the point is usable (and stops failing callers).
    cleanedStale = await forceUnmount(mountpoint);
    if (!cleanedStale) throw new MountError(`${mountpoint} holds a dead mount that cannot be removed`, 'run: grith unmount ' + mountpoint);
  } else if (state !== 'absent') {
    throw new MountError(`mountpoint ${mountpoint} is busy: something is already mounted there`, `grith unmount ${mountpoint}`);
  }
  let real: string;
  try {
    real = await realpath(mountpoint);
    if (!(await stat(real)).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MountError(
      code === 'ENOTDIR' ? `mountpoint ${mountpoint} is not a folder` : `mountpoint ${mountpoint} does not exist`,
      `create an empty folder: mkdir -p ${mountpoint}`,
    );
  }
  if ((await readdir(real)).length > 0) {
    throw new MountError(`mountpoint ${real} is not empty`, 'mount over an empty folder; its files would be hidden');
  }
  if (real === source || real.startsWith(source + sep) || source.startsWith(real + sep)) {
    throw new MountError(`mountpoint ${real} and source ${source} overlap`, 'mount the workspace somewhere outside it');
  }
  return { source, mountpoint: real, zone, cleanedStale };
}

async function hiddenRels(source: string, mountpoint: string, paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const abs = await realpath(resolve(p)).catch(() => resolve(p));
    if (abs === mountpoint || abs.startsWith(mountpoint + sep)) {
      // The mount process would read its own store through itself.
      throw new MountError(`grith's home ${abs} lies inside the mountpoint ${mountpoint}`, 'set GRITH_HOME outside the mount');
    }
    if (abs === source) throw new MountError(`source ${source} is grith's home`, 'mount a workspace, not GRITH_HOME');
    if (abs.startsWith(source + sep)) out.push(abs.slice(source.length + 1));
  }
  return out;
}

export async function mountWorkspace(o: MountOptions): Promise<MountedWorkspace> {
  const pre = await preflight(o);
  const Fuse = await loadFuse();
  const wfs = new WorkspaceFs({
    source: pre.source,
    mountpoint: pre.mountpoint,
    zone: pre.zone,
    zonePolicy: o.zonePolicy ?? 'alert',
    ctx: o.ctx,
    decoyContent: o.decoyContent,
    hidden: await hiddenRels(pre.source, pre.mountpoint, o.hide ?? []),
    readOnlyOutsideZone: o.readOnlyOutsideZone ?? false,
    noDecoys: o.readOnlyOutsideZone ?? false,
    ...(o.shownAt ? { shownAt: o.shownAt } : {}),
    ...(o.agentState && o.agentState.length > 0 ? { agentState: Zone.parse(o.agentState) } : {}),
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
  });
  const cache = o.cacheSeconds ?? 1;
  const fuse: FuseInstance = new Fuse(pre.mountpoint, wfs.ops(), {
    // Handlers always answer; fuse-native's 15 s auto-timeout would fail slow but legitimate calls with ETIMEDOUT.
    timeout: false,
    options: [
      'fsname=grith',
      'subtype=grith',
      'big_writes',
      'max_write=131072',
      'hard_remove',
      'use_ino',
      'auto_cache',
      `attr_timeout=${cache}`,
      `entry_timeout=${cache}`,
      'negative_timeout=0',
    ],
  });
  wfs.attach(fuse);
  await new Promise<void>((res, rej) => {
    fuse.mount((err) => (err ? rej(err) : res()));
  }).catch((e: unknown) => {
    throw new MountError(`cannot mount ${pre.mountpoint}: ${(e as Error).message}`, 'check that the folder is empty and FUSE works (fusermount)');
  });

  let closing: Promise<void> | null = null;
  return {
    source: pre.source,
    mountpoint: pre.mountpoint,
    zone: pre.zone,
    fs: wfs,
    cleanedStale: pre.cleanedStale,
    close() {
      closing ??= (async () => {
        await new Promise<void>((res) => fuse.unmount(() => res()));
        if (await isMounted(pre.mountpoint)) await forceUnmount(pre.mountpoint);
      })();
      return closing;
    },
  };
}
