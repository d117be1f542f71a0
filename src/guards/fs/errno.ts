// errno values as FUSE wants them (negative), and the translation of Node's fs errors.
export const EPERM = -1;
export const ENOENT = -2;
export const EIO = -5;
export const EBADF = -9;
export const EACCES = -13;
export const EEXIST = -17;
export const EXDEV = -18;
export const ENOTDIR = -20;
export const EISDIR = -21;
export const EINVAL = -22;
export const ENOSYS = -38;
export const EROFS = -30;
export const ENOTEMPTY = -39;

/** Node's fs errors carry a negative errno already; anything else is an I/O error, never a throw into native. */
export function errnoOf(e: unknown): number {
  const n = (e as NodeJS.ErrnoException | null)?.errno;
  if (typeof n === 'number' && n < 0) return n;
  if (typeof n === 'number' && n > 0) return -n;
  return EIO;
}
