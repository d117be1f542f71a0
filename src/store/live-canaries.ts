// The current canaries and their compiled matcher for a running guard, reloaded whenever store.json changes.
//
// Fail-closed contract: when the store cannot be read or validated, or compile throws, the snapshot becomes
// { matcher: null, canaries: [], secrets: [], error } — the previous matcher is dropped, not kept as if it were current.
// A guard must deny whenever `error` is set (equivalently, whenever `matcher` is null). The state recovers by
// itself when the store becomes valid again. open() never throws for store problems: it returns an instance in
// the error state, so a guard can refuse with the error's message and hint.
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { emptyStoreDoc, type Canary } from '../core/canary.js';
import { GrithError, HomeMissingError, isGrithError } from '../core/errors.js';
import { maskSecrets } from '../core/fingerprint.js';
import type { Matcher } from '../core/matcher/types.js';
import { secretsOf } from '../core/targets.js';
import { assertHomeSafe, ensureHome, storePath } from './home.js';
import { readStoreFile } from './store-file.js';
import { watchStore, type StoreWatcher, type WatchStoreOptions } from './store-watch.js';

export interface LiveSnapshot {
  /** null exactly when error is set. */
  matcher: Matcher | null;
  /** The canaries the matcher was compiled from ([] in the error state). Shared: do not mutate. */
  canaries: Canary[];
  /** Every secret of those canaries (values and companions): what anything shown must mask. */
  secrets: readonly string[];
  /** Increases by one on every published change (new canaries, new error, recovery). */
  version: number;
  error?: GrithError;
}

export interface LiveCanariesOptions extends WatchStoreOptions {
  /** Create the home folder when missing (default true): a guard may start before the first `canary add`. */
  create?: boolean;
}

export class MatcherCompileError extends GrithError {
  readonly code = 'MATCHER_COMPILE_FAILED';
  constructor(detail: string) {
    super(`cannot compile the canary matcher: ${detail}`, 'this is a grith bug; the guard denies until it is fixed');
  }
}

export class LiveCanaries {
  private state: LiveSnapshot = { matcher: null, canaries: [], secrets: [], version: 0 };
  /** Serialized canaries behind the current matcher; null in the error state. */
  private key: string | null = null;
  private readonly emitter = new EventEmitter();
  private watcher: StoreWatcher | null = null;
  private loading: Promise<void> | null = null;
  private again = false;
  private closed = false;
  readonly file: string;

  private constructor(
    readonly home: string,
    private readonly compile: (canaries: Canary[]) => Matcher,
  ) {
    this.file = storePath(home);
  }

  static async open(
    home: string,
    compile: (canaries: Canary[]) => Matcher,
    opts: LiveCanariesOptions = {},
  ): Promise<LiveCanaries> {
    const abs = path.resolve(home);
    const live = new LiveCanaries(abs, compile);
    // A home we cannot create is reported by the first load (error state), not thrown: see the contract above.
    if (opts.create ?? true) await ensureHome(abs).catch(() => undefined);
    // Watch first, then load: a change landing between the two is then reloaded, never missed.
    live.watcher = watchStore(abs, () => void live.reload(), opts);
    await live.watcher.ready;
    await live.reload();
    return live;
  }

  snapshot(): LiveSnapshot {
    return this.state;
  }

  on(event: 'change', cb: (snapshot: LiveSnapshot) => void): this {
    this.emitter.on(event, cb);
    return this;
  }

  off(event: 'change', cb: (snapshot: LiveSnapshot) => void): this {
    this.emitter.off(event, cb);
    return this;
  }

  /** Re-read the store now (also what the watcher calls). Concurrent calls coalesce into one extra pass. */
  reload(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        await this.loadOnce();
      } while (this.again && !this.closed);
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.emitter.removeAllListeners();
    await this.watcher?.close();
    await this.loading;
  }

  private async loadOnce(): Promise<void> {
    let canaries: Canary[] = [];
    try {
      // A home others can write is refused here too: the guards fail closed instead of trusting its store.
      await assertHomeSafe(this.home);
      const doc = (await readStoreFile(this.file)) ?? (await this.absentStore());
      canaries = doc.canaries;
      // The fire counts change with every fire and mean nothing to the matcher: a count is not a reload.
      const key = JSON.stringify(canaries, (k, v) => (k === 'fires' || k === 'lastFiredAt' ? undefined : v));
      if (this.state.error === undefined && this.state.version > 0 && key === this.key) return;
      const matcher = this.compileSafely(canaries);
      this.key = key;
      this.publish({ matcher, canaries, secrets: canaries.flatMap(secretsOf), version: this.state.version + 1 });
    } catch (e) {
      const error = isGrithError(e) ? e : new MatcherCompileError(safeMessage(e, canaries));
      const prev = this.state.error;
      if (prev && prev.code === error.code && prev.message === error.message) return;
      this.key = null;
      this.publish({ matcher: null, canaries: [], secrets: [], version: this.state.version + 1, error });
    }
  }

  private compileSafely(canaries: Canary[]): Matcher {
    try {
      return this.compile(canaries);
    } catch (e) {
      throw new MatcherCompileError(safeMessage(e, canaries));
    }
  }

  /** No store.json: an empty store if the home exists, HomeMissingError if the home itself is gone. */
  private async absentStore() {
    try {
      await stat(this.home);
    } catch {
      throw new HomeMissingError(this.home);
    }
    return emptyStoreDoc();
  }

  private publish(next: LiveSnapshot): void {
    if (this.closed) return;
    this.state = next;
    this.emitter.emit('change', next);
  }
}

/** An error text with every canary secret masked: compile errors come from code that holds the tokens. */
function safeMessage(e: unknown, canaries: readonly Canary[]): string {
  const msg = e instanceof Error ? e.message : String(e);
  return maskSecrets(msg, canaries.flatMap(secretsOf));
}
