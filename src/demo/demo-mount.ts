// The demo's workspace mount: a child `grith mount SOURCE MOUNTPOINT --zone ZONE` (the real CLI, in its own process,
// so no event loop here ever serves FUSE), up before the agent runs and down before the temporary folder goes.
import { spawn, type ChildProcess } from 'node:child_process';
import { forceUnmount, isMounted } from '../guards/fs/mount-table.js';
import { exited, grithBin, stopChild, track } from './procs.js';

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
  const child = track(
    spawn(process.execPath, [grithBin(), 'mount', o.source, o.mountpoint, '--zone', o.zone, '--json'], {
      env: o.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  o.onChild(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const ready = await new Promise<boolean>((resolve) => {
    let out = '';
    const t = setTimeout(() => resolve(false), 30_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (/"mounted"/.test(out) && out.includes('\n')) {
        clearTimeout(t);
        resolve(true);
      }
    });
    child.once('exit', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
  const stop = async (): Promise<boolean> => {
    if (!exited(child)) await stopChild(child, 10_000);
    return (await isMounted(o.mountpoint)) ? forceUnmount(o.mountpoint) : true;
  };
  if (!ready) {
    await stop();
    const why = stderr.trim().split('\n')[0]?.replace(/^grith: /, '') || 'the mount did not come up';
    throw new Error(`grith mount failed: ${why}`);
  }
  return { mountpoint: o.mountpoint, stop };
}
