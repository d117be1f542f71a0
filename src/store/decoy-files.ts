// Real decoy files on disk (--place): written exclusively, aged to look lived-in, and only ever
// rewritten or removed by grith while their content is still exactly what grith wrote.
import { createHash, randomInt } from 'node:crypto';
import { promises as fs, constants as C } from 'node:fs';
import path from 'node:path';
import { PlacementExistsError, InvalidInputError } from '../core/errors.js';

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** An mtime 20–400 days in the past, so a decoy does not stand out as just created. */
function pastDate(): Date {
  const days = randomInt(20, 400);
  const secs = randomInt(0, 86_400);
  return new Date(Date.now() - days * 86_400_000 - secs * 1000);
}

export async function assertPlaceable(file: string): Promise<void> {
  try {
    await fs.lstat(file);
    throw new PlacementExistsError(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    if (e instanceof PlacementExistsError) throw e;
    throw new InvalidInputError(`cannot place decoy at ${file}: ${(e as Error).message}`, 'choose a writable path');
  }
}

/** Create the file; fails if anything already exists there (O_EXCL), never follows a planted symlink. */
export async function writeNewDecoy(file: string, content: string, mode: number): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  let fh;
  try {
    fh = await fs.open(file, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new PlacementExistsError(file);
    throw new InvalidInputError(`cannot write decoy ${file}: ${(e as Error).message}`, 'choose a writable path');
  }
  try {
    await fh.writeFile(content);
    await fh.chmod(mode);
    await fh.sync();
  } finally {
    await fh.close();
  }
  const when = pastDate();
  await fs.utimes(file, when, when);
  return sha256(content);
}

export type DecoyFileState = 'unchanged' | 'modified' | 'missing';

export async function decoyState(file: string, expectedSha: string): Promise<DecoyFileState> {
  try {
    const st = await fs.lstat(file);
    if (!st.isFile()) return 'modified';
    return sha256(await fs.readFile(file)) === expectedSha ? 'unchanged' : 'modified';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
}

/** Replace an unchanged decoy atomically, keeping its mode and its (old) timestamps. */
export async function rewriteDecoy(file: string, content: string, mode: number): Promise<string> {
  const st = await fs.stat(file);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.grith-${process.pid}-${randomInt(1e9)}`);
  await fs.writeFile(tmp, content, { mode, flag: 'wx' });
  try {
    await fs.chmod(tmp, mode);
    await fs.utimes(tmp, st.atime, st.mtime);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  return sha256(content);
}
