// The kernel's view of mounts (/proc/self/mountinfo) and the ways to take a FUSE mount down, also a dead one.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';

/** Mount points listed in /proc/self/mountinfo with their filesystem type. */
export async function mountTable(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 10) continue;
    const sep = f.indexOf('-');
    out.set(unescapeMount(f[4]), sep > 0 ? f[sep + 1] : '');
  }
  return out;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export async function isMounted(mountpoint: string): Promise<boolean> {
  return (await mountTable()).has(mountpoint);
}

export type MountState = 'absent' | 'live' | 'dead' | 'unresponsive';

/**
 * What is at a mount point: nothing, a responsive mount, a dead FUSE mount (its server is gone: ENOTCONN), or a
 * mount that does not answer within the timeout (a stopped server). Never blocks the caller's event loop.
 */
export async function mountState(mountpoint: string, timeoutMs = 2000): Promise<MountState> {
  if (!(await isMounted(mountpoint))) return 'absent';
  const probe = stat(mountpoint).then(
    () => 'live' as const,
    (e: NodeJS.ErrnoException) => (e.code === 'ENOTCONN' || e.code === 'ECONNABORTED' ? ('dead' as const) : ('live' as const)),
  );
  const timer = new Promise<'unresponsive'>((r) => setTimeout(() => r('unresponsive'), timeoutMs).unref());
  return Promise.race([probe, timer]);
}

function run(cmd: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 10_000 }, (err) => resolve(!err));
  });
}

/**
 * Detach a FUSE mount: fusermount -u, then lazily (-uz) when busy, then umount -l. Resolves true when the mount
 * point is gone from the mount table.
 */
export async function forceUnmount(mountpoint: string): Promise<boolean> {
  const attempts: [string, string[]][] = [
    ['fusermount', ['-u', mountpoint]],
    ['fusermount', ['-uz', mountpoint]],
    ['fusermount3', ['-uz', mountpoint]],
    ['umount', ['-l', mountpoint]],
  ];
  for (const [cmd, args] of attempts) {
    if (!(await isMounted(mountpoint))) return true;
    await run(cmd, args);
  }
  return !(await isMounted(mountpoint));
}
