// The demo's workspace mount: a child `grith mount SOURCE MOUNTPOINT --zone ZONE` (the real CLI, in its own process,
// so no event loop here ever serves FUSE), up before the agent runs and down before the temporary folder goes.
import type { ChildProcess } from 'node:child_process';
import { forceUnmount, isMounted } from '../guards/fs/mount-table.js';
import { spawnMount } from '../session/shell/mount.js';
import { exited, stopChild, track } from './procs.js';

export interface DemoMount {
  mountpoint: string;
  stop(): Promise<boolean>;
}

export async function startDemoMount(o: {
  source: string;
  mountpoint: string;
  zone: string;
  env: NodeJS.ProcessEnv;
  onChild: (child: ChildProcess) => void;
}): Promise<DemoMount> {
  const m = spawnMount({ source: o.source, mountpoint: o.mountpoint, zones: [o.zone], env: o.env });
  const child = track(m.child);
  o.onChild(child);
  const ready = await m.ready;
  const stop = async (): Promise<boolean> => {
    if (!exited(child)) await stopChild(child, 10_000);
    return (await isMounted(o.mountpoint)) ? forceUnmount(o.mountpoint) : true;
  };
  if (!ready) {
    await stop();
    throw new Error(`grith mount failed: ${m.why()}`);
  }
  return { mountpoint: o.mountpoint, stop };
}
