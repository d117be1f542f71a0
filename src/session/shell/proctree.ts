// The processes of a session, read from /proc: the child's descendants plus every process whose environment
// carries the session's exec socket (the guard library puts it into every exec, so orphans re-parented to init
// are found too). Used to end a whole session when a terminate canary fires.
import { readdir, readFile } from 'node:fs/promises';

interface ProcInfo {
  ppid: number;
  marked: boolean;
}

async function processTable(marker: string | null): Promise<Map<number, ProcInfo>> {
  const out = new Map<number, ProcInfo>();
  const names = await readdir('/proc').catch(() => [] as string[]);
  const needle = marker === null ? null : Buffer.from(marker + '\0');
  await Promise.all(
    names.map(async (n) => {
      if (!/^\d+$/.test(n)) return;
      try {
        const stat = await readFile(`/proc/${n}/stat`, 'utf8');
        // Field 2 (comm) may contain spaces and parentheses: parse after the last ')'.
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        let marked = false;
        if (needle) {
          const env = await readFile(`/proc/${n}/environ`).catch(() => null);
          marked = env !== null && (env.indexOf(needle) === 0 || env.indexOf(Buffer.concat([Buffer.from([0]), needle])) >= 0);
        }
        out.set(Number(n), { ppid: Number(rest[1]), marked });
      } catch {
        /* exited meanwhile */
      }
    }),
  );
  return out;
}

/** root, its descendants, and every process marked with `marker` (an exact NAME=VALUE environment entry). */
export async function sessionProcesses(root: number | undefined, marker: string | null): Promise<number[]> {
  const table = await processTable(marker);
  const children = new Map<number, number[]>();
  for (const [pid, info] of table) {
    const list = children.get(info.ppid) ?? [];
    list.push(pid);
    children.set(info.ppid, list);
  }
  const found = new Set<number>();
  const stack = [...(root !== undefined ? [root] : []), ...[...table].filter(([, i]) => i.marked).map(([p]) => p)];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (found.has(p) || p === process.pid) continue;
    found.add(p);
    for (const c of children.get(p) ?? []) stack.push(c);
  }
  return [...found];
}

function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone already */
  }
}

/**
 * SIGKILL a session. Each round stops what it finds first (SIGSTOP), so nothing forks between listing and killing;
 * a second round catches what was forked during the first.
 */
export async function killSession(root: number | undefined, marker: string | null): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const pids = await sessionProcesses(root, marker);
    if (pids.length === 0) return;
    for (const p of pids) kill(p, 'SIGSTOP');
    if (root !== undefined) kill(-root, 'SIGKILL');
    for (const p of pids) kill(p, 'SIGKILL');
  }
}
