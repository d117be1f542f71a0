// The canary store: a lowdb document at $GRITH_HOME/store.json, safe for many grith processes at once.
// Every update is lock → fresh read → mutate → validate → atomic write (unique temp + fsync + rename, 0600) → unlock.
// A file that is not a valid grith store is never written over: update reads and validates it first and throws.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { emptyStoreDoc, type Canary, type StoreDoc } from '../core/canary.js';
import {
  CanaryNotFoundError,
  HomeMissingError,
  InvalidInputError,
  StoreUnavailableError,
} from '../core/errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { assertHomeSafe, ensureHome, errText, storeLockPath, storePath } from './home.js';
import { withLock, type LockOptions } from './lock.js';
import { readStoreFile, storeDocProblem } from './store-file.js';

export interface StoreOpenOptions {
  /** Create the home folder if missing; a missing store.json then reads as an empty store (written on first update). */
  create: boolean;
  lock?: LockOptions;
}

/** Shortest id prefix `get` accepts. */
export const MIN_ID_PREFIX = 4;

/** lowdb adapter: validated reads (null when absent), atomic 0600 writes. */
class StoreFileAdapter implements Adapter<StoreDoc> {
  constructor(private readonly file: string) {}
  read(): Promise<StoreDoc | null> {
    return readStoreFile(this.file);
  }
  async write(doc: StoreDoc): Promise<void> {
    try {
      await writeFileAtomic(this.file, serializeStore(doc), 0o600);
    } catch (e) {
      throw new StoreUnavailableError(this.file, `cannot write: ${errText(e)}`);
    }
  }
}

export function serializeStore(doc: StoreDoc): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

export class CanaryStore {
  readonly file: string;
  readonly lockPath: string;
  private readonly adapter: StoreFileAdapter;

  private constructor(
    readonly home: string,
    private readonly lockOptions: LockOptions,
  ) {
    this.file = storePath(home);
    this.lockPath = storeLockPath(home);
    this.adapter = new StoreFileAdapter(this.file);
  }

  /**
   * Open the store under `home`. create=false: a missing home or store.json is HomeMissingError.
   * The existing file is read once here, so a corrupt or unreadable store fails at open.
   */
  static async open(home: string, opts: StoreOpenOptions): Promise<CanaryStore> {
    const abs = path.resolve(home);
    const store = new CanaryStore(abs, opts.lock ?? {});
    if (opts.create) {
      await ensureHome(abs);
    } else {
      await assertHomeSafe(abs);
      await mustExist(abs, abs);
      await mustExist(store.file, abs);
    }
    await store.read();
    return store;
  }

  /** A fresh, validated copy of the whole document (an empty store when store.json does not exist yet). */
  async read(): Promise<StoreDoc> {
    return (await this.adapter.read()) ?? emptyStoreDoc();
  }

  async list(): Promise<Canary[]> {
    return (await this.read()).canaries;
  }

  /** By exact id, or by a unique id prefix of at least MIN_ID_PREFIX characters. */
  async get(idOrPrefix: string): Promise<Canary> {
    return findCanary(await this.list(), idOrPrefix);
  }

  /**
   * Locked read-modify-write. fn mutates the freshly read doc in place and may return a value. Nothing is written
   * when fn throws, when the doc is unchanged, or when the result would not be a valid store (InvalidInputError).
   */
  async update<T>(fn: (doc: StoreDoc) => T | Promise<T>): Promise<T> {
    return withLock(
      this.lockPath,
      async () => {
        const db = new Low<StoreDoc>(this.adapter, emptyStoreDoc());
        await db.read(); // throws StoreCorruptError / StoreUnavailableError before anything is written
        const before = serializeStore(db.data);
        const result = await fn(db.data);
        const problem = storeDocProblem(db.data);
        if (problem !== null) throw new InvalidInputError(`refusing to write an invalid canary store: ${problem}`);
        if (serializeStore(db.data) !== before) await db.write();
        return result;
      },
      this.lockOptions,
    );
  }
}

/** Exact id first; otherwise a prefix (≥ MIN_ID_PREFIX chars) that matches exactly one canary. */
export function findCanary(canaries: readonly Canary[], idOrPrefix: string): Canary {
  const exact = canaries.find((c) => c.id === idOrPrefix);
  if (exact) return exact;
  if (idOrPrefix.length >= MIN_ID_PREFIX) {
    const matches = canaries.filter((c) => c.id.startsWith(idOrPrefix));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new InvalidInputError(
        `canary id prefix "${idOrPrefix}" matches ${matches.length} canaries`,
        'give more characters of the id (grith canary list)',
      );
    }
  }
  throw new CanaryNotFoundError(idOrPrefix);
}

async function mustExist(p: string, home: string): Promise<void> {
  try {
    await stat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new HomeMissingError(home);
    throw new StoreUnavailableError(p, errText(e));
  }
}
