// Mount-relative paths and the working zone: every policy decision in the fs guard is made on these.

/** FUSE hands us "/a/b" (or "" for an unlinked open file); the guard works on "a/b", "" being the mount root. */
export function relOf(fusePath: string): string {
  return fusePath.length > 1 ? fusePath.slice(1) : '';
}

/**
 * Normalize a user-supplied relative path (zone, decoy rel): no leading "./" or "/", no empty or "." segments.
 * Returns null for anything that escapes the mount ("..") or is empty.
 */
export function normalizeRel(input: string): string | null {
  const parts: string[] = [];
  for (const seg of input.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return null;
    parts.push(seg);
  }
  return parts.length > 0 ? parts.join('/') : null;
}

export function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

export function baseOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? rel : rel.slice(i + 1);
}

/** rel equals dir or lies below it ("" is the root and contains everything). */
export function isWithin(rel: string, dir: string): boolean {
  return dir === '' || rel === dir || (rel.length > dir.length && rel.startsWith(dir) && rel[dir.length] === '/');
}

/** The working zone: a set of sub-paths of the mount; empty means the whole mount. */
export class Zone {
  readonly paths: readonly string[];
  constructor(zones: readonly string[]) {
    this.paths = zones;
  }
  static parse(zones: readonly string[]): Zone {
    const out: string[] = [];
    for (const z of zones) {
      if (z === '.' || z === '/' || z === './') return new Zone([]);
      // A trailing * stands for any ending of the last name (.claude.json* covers the temporary files an
      // atomic save writes beside it).
      const n = normalizeRel(z);
      if (n === null) throw new RangeError(`zone "${z}" is not a path inside the mount`);
      out.push(n);
    }
    return new Zone(out);
  }
  get wholeMount(): boolean {
    return this.paths.length === 0;
  }
  contains(rel: string): boolean {
    return this.paths.length === 0 || this.paths.some((z) => (z.endsWith('*') ? withinPrefix(rel, z.slice(0, -1)) : isWithin(rel, z)));
  }
}

/** rel is a name starting with prefix (in prefix's folder), or lies below such a name. */
function withinPrefix(rel: string, prefix: string): boolean {
  return rel.startsWith(prefix);
}
