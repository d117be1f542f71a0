// Crash-safe file replacement: write a uniquely named temp file in the same folder, fsync, rename over the target.
// Unique names matter: with one fixed temp name (lowdb's own writer) concurrent writers clobber each other.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Temp files are dot-files starting with this so watchers and cleaners can recognise them. */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = tempNameFor(file);
  const fh = await open(tmp, 'wx', mode);
  try {
    try {
      await fh.writeFile(data);
      await fh.chmod(mode); // the umask may have narrowed or (with an odd umask) not matched what we asked
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(path.dirname(file));
}

/** Make the rename itself durable; not every filesystem allows fsync on a folder, so this is best effort. */
async function fsyncDir(dir: string): Promise<void> {
  try {
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // best effort
  }
}
