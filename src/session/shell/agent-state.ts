// At the end of a session: did the agent write a canary into its own state outside the workspace (its transcript,
// its caches)? Those files are where a conversation that read a decoy persists it; each one found is recorded as
// canary.persisted (the path and the canary, never the value).
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { firesOf } from '../../core/decision.js';
import type { Hit } from '../../core/matcher/types.js';
import type { GuardContext } from '../../guards/guard-context.js';

/** The agents' own state folders in the user's home; `.aider*` covers aider's history and cache files. */
export const AGENT_STATE = ['.claude', '.claude.json', '.codex', '.gemini', '.aider*'];
/** Files larger than this are not read (a transcript is far smaller; a cache of blobs is not the agent's words). */
const MAX_FILE = 64 * 1024 * 1024;
const MAX_FILES = 20_000;

/** The state paths of the agents in home, plus the user's --watch-path folders. */
export async function agentStatePaths(home: string | undefined, extra: readonly string[]): Promise<string[]> {
  const out = [...extra];
  if (!home) return out;
  const names = await readdir(home).catch(() => [] as string[]);
  for (const pattern of AGENT_STATE) {
    if (pattern.endsWith('*')) out.push(...names.filter((n) => n.startsWith(pattern.slice(0, -1))).map((n) => join(home, n)));
    else if (names.includes(pattern)) out.push(join(home, pattern));
  }
  return out;
}

/** Regular files below paths changed at or after sinceMs (symbolic links are not followed). */
async function changedFiles(paths: readonly string[], sinceMs: number): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string, depth: number): Promise<void> => {
    if (out.length >= MAX_FILES || depth > 12) return;
    const st = await lstat(p).catch(() => null);
    if (!st) return;
    if (st.isDirectory()) {
      for (const n of await readdir(p).catch(() => [] as string[])) await walk(join(p, n), depth + 1);
    } else if (st.isFile() && st.mtimeMs >= sinceMs && st.size <= MAX_FILE) out.push(p);
  };
  for (const p of paths) await walk(p, 0);
  return out;
}

async function hitsIn(file: string, ctx: GuardContext): Promise<Hit[]> {
  const m = ctx.snapshot().matcher;
  if (!m || m.targetCount === 0) return [];
  const stream = m.stream();
  const hits: Hit[] = [];
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 })) hits.push(...stream.write(chunk as Buffer));
  return hits;
}

/** Scan what changed since the session started; one canary.persisted event per file and canary. */
export async function scanAgentState(ctx: GuardContext, paths: readonly string[], sinceMs: number): Promise<number> {
  let found = 0;
  // A second of slack: file times are truncated by some filesystems.
  for (const file of await changedFiles(paths, sinceMs - 1000)) {
    const hits = await hitsIn(file, ctx).catch(() => [] as Hit[]);
    for (const f of firesOf(hits, ctx.snapshot().canaries)) {
      found++;
      void ctx.record({
        kind: 'canary.persisted',
        guard: 'scan',
        action: 'alert',
        canaryId: f.canaryId,
        label: f.label,
        fingerprint: f.fingerprint,
        ...(f.variant ? { variant: f.variant } : {}),
        where: file,
        message: 'canary written into the agent\'s own state outside the workspace',
      });
    }
  }
  return found;
}
