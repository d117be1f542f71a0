// Which process sent a request: the client socket's inode from /proc/net/tcp mapped to the process holding it, and
// that process's ancestry (pid, exe, argv) — how the tests show which process of an agent talks to its model.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  exe: string;
  argv: string[];
  /** Threads (a model client is often one thread of many). */
  threads: number;
}

export function procInfo(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields after the last ')' are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let exe = '?';
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      /* another user's process when not root */
    }
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    return { pid, ppid: Number(rest[1]), exe, argv, threads: Number(rest[17]) };
  } catch {
    return null;
  }
}

/** The process and its ancestors, nearest first, up to (not including) `stopAt` or pid 1. */
export function ancestry(pid: number, stopAt = 1): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (let p = pid; p > 1 && p !== stopAt; ) {
    const i = procInfo(p);
    if (!i) break;
    out.push(i);
    p = i.ppid;
  }
  return out;
}

/** Inode of the TCP socket whose local port is `port` (IPv4 and IPv6 tables). */
function socketInode(port: number): string | null {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1]!.endsWith(`:${hex}`)) return f[9]!;
    }
  }
  return null;
}

/** The process holding the client end of a TCP connection from local port `port` (null when gone or not visible). */
export function socketOwner(port: number): number | null {
  const inode = socketInode(port);
  if (!inode || inode === '0') return null;
  const want = `socket:[${inode}]`;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${d}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${d}/fd/${fd}`) === want) return Number(d);
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return null;
}

/** Every descendant of `pid` (children first, depth-first), from /proc. */
export function descendants(pid: number): ProcInfo[] {
  const all = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => procInfo(Number(d)))
    .filter((i): i is ProcInfo => i !== null);
  const out: ProcInfo[] = [];
  const walk = (p: number): void => {
    for (const c of all.filter((i) => i.ppid === p)) {
      out.push(c);
      walk(c.pid);
    }
  };
  walk(pid);
  return out;
}

export function describeProc(i: ProcInfo): string {
  return `pid ${i.pid} (ppid ${i.ppid}, ${i.threads} threads) exe=${i.exe} argv=${JSON.stringify(i.argv.slice(0, 4))}`;
}

/** Remote ports of the established TCP connections `pid` holds (its sockets matched in /proc/net/tcp). */
export function remotePortsOf(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        /* closed meanwhile */
      }
    }
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // st 01 = ESTABLISHED
      if (f.length > 9 && f[3] === '01' && inodes.has(f[9]!)) out.push(parseInt(f[2]!.split(':')[1]!, 16));
    }
  }
  return out;
}

/** A variable of a process's initial environment (root, or the same user). */
export function environOf(pid: number, name: string): string | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((l) => l.startsWith(`${name}=`));
    return line?.slice(name.length + 1);
  } catch {
    return undefined;
  }
}
