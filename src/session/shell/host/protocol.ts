// The shell host's contract: where it listens, and the JSON lines a `grith shell -c` client and the host exchange.
//
// The host is a per-user, per-GRITH_HOME, per-build background process that keeps the canary matcher compiled and
// the proxy warm, so `grith shell -c` (run once per agent command) skips both. Each client gets its own session
// with its own exec socket; the host exits when idle.
import { lstatSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenResult, SessionEnd } from '../command.js';
import type { SessionProxyEnv } from '../env.js';

/** Client → host: `open` first; `close` once bash has exited (the answer says whether a terminate ended it). */
export type ClientMessage = OpenRequest | { op: 'close' };

export interface OpenRequest {
  op: 'open';
  /** What bash will run, e.g. ["/bin/bash", "-lc", CMD, "$0"…]: checked as a whole before anything runs. */
  argv: string[];
  pid: number;
  ppid: number;
  proxy: boolean;
}

/** The grant of an opened command on the wire (a Map does not survive JSON). */
export interface WireGrant {
  session: string;
  execLib: string;
  execSock: string;
  launch?: string;
  approvalsSock?: string;
  placed: Array<[string, string]>;
  proxy?: SessionProxyEnv;
}

export type HostMessage =
  /** The answer to open: the command's OpenResult (see ../command.ts), its grant in wire form. */
  | { op: 'opened'; grant: WireGrant }
  | ({ op: 'denied' } & Omit<Extract<OpenResult, { kind: 'denied' }>, 'kind'>)
  | ({ op: 'error' } & Omit<Extract<OpenResult, { kind: 'error' }>, 'kind'>)
  /** A guard of this session fired: show this banner line on stderr. */
  | { op: 'banner'; line: string }
  /** Answer to close: the session's end (terminated when a terminate canary ended it). */
  | ({ op: 'closed' } & SessionEnd);

function fnv1a(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** A build identity: a rebuilt grith gets a new host (the old one idles out) instead of talking to stale code. */
export function buildId(hostMain: string): string {
  try {
    return String(Math.floor(statSync(hostMain).mtimeMs));
  } catch {
    return 'unknown';
  }
}

/** The host's private folder (0700) and socket. Short: sun_path holds 108 bytes. */
export function hostPaths(home: string, build: string): { dir: string; sock: string } {
  const key = `${home}\0${build}`;
  const base = tmpdir().length < 60 ? tmpdir() : '/tmp';
  const dir = join(base, `grith-host-${process.getuid?.() ?? 0}-${fnv1a(key, 0x811c9dc5)}${fnv1a(key, 0x2166136)}`);
  return { dir, sock: join(dir, 'host.sock') };
}

/**
 * The host folder is trusted only when it is a real folder owned by this user and closed to everyone else: in a
 * shared /tmp another user could otherwise plant a fake host that answers "allow" to everything.
 */
export function privateDir(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === (process.getuid?.() ?? st.uid) && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** Newline-delimited JSON reader: calls onMessage per complete line. */
export function lineReader(onMessage: (m: unknown) => void): (chunk: Buffer | string) => void {
  let buf = '';
  return (chunk) => {
    buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim() === '') continue;
      try {
        onMessage(JSON.parse(line));
      } catch {
        onMessage(null);
      }
    }
  };
}
