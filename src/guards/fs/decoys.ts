// The virtual decoy files a mount serves: built from the canaries' `decoy` placements, merged into the real tree.
import { createHash } from 'node:crypto';
import type { Canary } from '../../core/canary.js';
import { baseOf, isWithin, normalizeRel, parentOf } from './paths.js';

export interface DecoyEntry {
  rel: string;
  canary: Canary;
  content: Buffer;
  mode: number;
  /** ms since epoch; in the past, and moving when the canary is rotated (so cached pages are dropped). */
  mtimeMs: number;
  ino: number;
}

export interface DecoyBody {
  content: string;
  mode: number;
}

/** How a canary's decoy file reads; formats give realistic content, the fallback is the bare value. */
export type DecoyContentFn = (canary: Canary) => DecoyBody;

const DAY = 86_400_000;

function hash32(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0);
}

/** Inode numbers for virtual entries: a high range real ext4/xfs inode tables do not reach in practice. */
function virtualIno(rel: string): number {
  return (0xf0000000 | (hash32(rel) & 0x0fffffff)) >>> 0;
}

export class DecoyTable {
  readonly files = new Map<string, DecoyEntry>();
  /** Directory rel -> names of virtual children (decoy files and virtual sub-folders). */
  readonly children = new Map<string, Set<string>>();
  /** Every folder that holds a decoy somewhere below it. */
  readonly dirs = new Set<string>();

  static empty(): DecoyTable {
    return new DecoyTable();
  }

  static build(canaries: readonly Canary[], contentOf: DecoyContentFn): DecoyTable {
    const t = new DecoyTable();
    for (const canary of canaries) {
      for (const p of canary.placements) {
        if (p.kind !== 'decoy') continue;
        const rel = normalizeRel(p.rel);
        // A path already taken (by a decoy or a decoy's folder) keeps its first owner.
        if (rel === null || t.files.has(rel) || t.dirs.has(rel)) continue;
        if (ancestors(rel).some((a) => t.files.has(a))) continue;
        let body: DecoyBody;
        try {
          body = contentOf(canary);
        } catch {
          body = { content: canary.value + '\n', mode: 0o600 };
        }
        const base = Date.parse(canary.rotatedAt ?? canary.createdAt);
        const age = (14 + (hash32(canary.id) % 60)) * DAY + (hash32(rel) % DAY);
        t.files.set(rel, {
          rel,
          canary,
          content: Buffer.from(body.content, 'utf8'),
          mode: body.mode & 0o777,
          mtimeMs: (Number.isFinite(base) ? base : Date.now()) - age,
          ino: virtualIno(rel),
        });
        let child = rel;
        for (const dir of ancestors(rel)) {
          t.dirs.add(dir);
          let set = t.children.get(dir);
          if (!set) t.children.set(dir, (set = new Set()));
          set.add(baseOf(child));
          child = dir;
        }
      }
    }
    return t;
  }

  get size(): number {
    return this.files.size;
  }

  file(rel: string): DecoyEntry | undefined {
    return this.files.get(rel);
  }

  /** A folder that exists only because a decoy lives below it (when SOURCE lacks it). */
  isDecoyDir(rel: string): boolean {
    return this.dirs.has(rel);
  }

  childrenOf(rel: string): ReadonlySet<string> | undefined {
    return this.children.get(rel);
  }

  /** Decoys below a folder, as paths relative to it (for a repository's info/exclude). */
  below(dir: string): string[] {
    const out: string[] = [];
    for (const rel of this.files.keys()) {
      if (rel !== dir && isWithin(rel, dir)) out.push(dir === '' ? rel : rel.slice(dir.length + 1));
    }
    return out.sort();
  }

  /** Newest decoy mtime below a folder: virtual folders show it. */
  dirMtime(dir: string): number {
    let m = 0;
    for (const f of this.files.values()) if (isWithin(f.rel, dir) && f.mtimeMs > m) m = f.mtimeMs;
    return m || Date.now() - 30 * DAY;
  }
}

/** "a/b/c" -> ["a/b", "a", ""] */
function ancestors(rel: string): string[] {
  const out: string[] = [];
  let p = rel;
  while (p !== '') {
    p = parentOf(p);
    out.push(p);
  }
  return out;
}

export const GIT_EXCLUDE_MARKER = '# grith: virtual decoy files (served by grith mount, absent from the source tree)';

/** `<repo>/.git/info/exclude` -> the repository folder rel, else null. */
export function excludeRepoOf(rel: string): string | null {
  if (rel === '.git/info/exclude') return '';
  if (rel.endsWith('/.git/info/exclude')) return rel.slice(0, -'/.git/info/exclude'.length);
  return null;
}

/**
 * What git reads as info/exclude inside the mount: the real file plus one anchored line per decoy in that
 * repository, so `git status` never offers a decoy for commit (`git add -f` still can: the user asked).
 */
export function augmentExclude(real: Buffer, decoyRels: readonly string[]): Buffer {
  if (decoyRels.length === 0) return real;
  const text = real.toString('utf8');
  if (text.includes(GIT_EXCLUDE_MARKER)) return real;
  const lines = decoyRels.map((r) => '/' + r.replace(/([*?[\\!#])/g, '\\$1')).join('\n');
  const sep = real.length === 0 || text.endsWith('\n') ? '' : '\n';
  return Buffer.concat([real, Buffer.from(`${sep}${GIT_EXCLUDE_MARKER}\n${lines}\n`, 'utf8')]);
}
