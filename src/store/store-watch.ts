// Notice changes to store.json made by any process: file-system events on the home folder, plus a slow stat check.
// The folder is watched, not the file, because every write renames a new inode over store.json.
// The stat check (every pollMs, default 1 s) is a safety net for filesystems where inotify misses events
// (network mounts, containers): a guard that silently misses a new canary would fail open.
// Events come from chokidar for long-running guards, or from a bare fs.watch where start-up time counts (one
// `grith shell -c` per agent command): chokidar is then never loaded.
import { watch as fsWatch } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { storePath } from './home.js';

export interface StoreWatcher {
  /** Resolves once the watch is live; changes made after this are guaranteed to be reported. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface WatchStoreOptions {
  /** Coalesce bursts: onChange runs this long after the first change of a burst (default 50 ms). */
  debounceMs?: number;
  /** Stat fallback interval (default 1000 ms; 0 disables). */
  pollMs?: number;
  /** Where events come from (default chokidar). */
  events?: 'chokidar' | 'fs.watch';
}

/** A running watch of one source of events on the home folder. */
interface EventSource {
  ready: Promise<void>;
  close(): Promise<void>;
}

function chokidarSource(dir: string, file: string, onFile: () => void): EventSource {
  let closed = false;
  let w: import('chokidar').FSWatcher | null = null;
  const ready = import('chokidar').then(({ watch }) => {
    if (closed) return;
    const watcher = watch(dir, {
      depth: 0,
      ignoreInitial: true,
      persistent: true,
      ignored: (p: string) => {
        const abs = path.resolve(p);
        return abs !== dir && abs !== file;
      },
    });
    w = watcher;
    watcher.on('all', (_event, p) => {
      if (path.resolve(p) === file) onFile();
    });
    // A vanished home or a watch limit must not crash a guard; the stat check keeps running.
    watcher.on('error', () => undefined);
    return new Promise<void>((r) => watcher.once('ready', () => r()));
  });
  return {
    ready,
    async close() {
      closed = true;
      await ready.catch(() => undefined);
      await w?.close();
    },
  };
}

function fsWatchSource(dir: string, onFile: () => void): EventSource {
  let w: ReturnType<typeof fsWatch> | null = null;
  try {
    w = fsWatch(dir, { persistent: false }, (_ev, name) => {
      if (name === null || name === 'store.json') onFile();
    });
    w.on('error', () => undefined);
  } catch {
    // No folder yet (nothing planted) or no inotify: the stat check still notices the first store.
  }
  return {
    ready: Promise.resolve(),
    async close() {
      w?.close();
    },
  };
}

export function watchStore(home: string, onChange: () => void, opts: WatchStoreOptions = {}): StoreWatcher {
  const dir = path.resolve(home);
  const file = storePath(dir);
  const debounceMs = opts.debounceMs ?? 50;
  const pollMs = opts.pollMs ?? 1000;
  let closed = false;
  let pending: NodeJS.Timeout | null = null;
  let poller: NodeJS.Timeout | null = null;
  let lastSig: string | null = null;

  // Leading-edge coalescing (not a sliding debounce): a steady stream of writes cannot postpone delivery.
  const trigger = (): void => {
    if (closed || pending) return;
    pending = setTimeout(() => {
      pending = null;
      if (closed) return;
      // Remember what we reported so the stat check does not report the same change again.
      void signature(file).then((sig) => {
        lastSig = sig;
      });
      onChange();
    }, debounceMs);
  };

  const source = opts.events === 'fs.watch' ? fsWatchSource(dir, trigger) : chokidarSource(dir, file, trigger);

  let onClosed!: () => void;
  const closedSignal = new Promise<void>((r) => (onClosed = r));
  const watcherReady = Promise.race([source.ready, closedSignal]);
  const ready = (async () => {
    lastSig = await signature(file);
    await watcherReady;
    if (pollMs > 0 && !closed) {
      const tick = async (): Promise<void> => {
        const sig = await signature(file);
        if (closed) return;
        if (sig !== lastSig) {
          lastSig = sig;
          trigger();
        }
        poller = setTimeout(() => void tick(), pollMs);
        poller.unref();
      };
      poller = setTimeout(() => void tick(), pollMs);
      poller.unref();
    }
  })();

  return {
    ready,
    async close() {
      closed = true;
      onClosed();
      if (pending) clearTimeout(pending);
      if (poller) clearTimeout(poller);
      await source.close();
    },
  };
}

/** Identity of the current file version: inode, size and times change on every atomic replace. */
async function signature(file: string): Promise<string> {
  try {
    const st = await stat(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch (e) {
    return `absent:${(e as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}
