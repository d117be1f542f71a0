// Who asked: the command line of the process behind a FUSE request, read from /proc without blocking the loop.
import { readFile } from 'node:fs/promises';

export async function cmdlineOf(pid: number): Promise<string | undefined> {
  if (!pid) return undefined;
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`);
    const text = raw.toString('utf8').replace(/\0+$/, '').split('\0').join(' ');
    return text.length > 1000 ? text.slice(0, 1000) + '…' : text || undefined;
  } catch {
    return undefined; // the process already exited: the event keeps the pid
  }
}
