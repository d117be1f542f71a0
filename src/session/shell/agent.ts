// Which process is the session's agent, as the kernel tells it: the program `grith shell -- PROGRAM` started, and
// the launcher children that run its own code (a native binary shipped in its package, its own script again).
// Nothing here reads what the session can set (environment, headers, proxy credentials).
import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, sep } from 'node:path';
import type { Socket } from 'node:net';

/** The program's file on disk, as PATH finds it. */
export function resolveProgram(file: string, path: string | undefined): string | null {
  if (file.includes('/')) return existsSync(file) ? file : null;
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, file);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** The package folder of an npm-installed program (nearest folder above it with a package.json), else null. */
export function packageRootOf(resolved: string): string | null {
  let dir = dirname(resolved);
  for (let i = 0; i < 8 && dir !== dirname(dir); i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return null;
}

const within = (file: string, dir: string) => file === dir || file.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/**
 * The folders holding the agent's own code: its package, and the packages it depends on directly (an npm launcher
 * such as Codex's ships its native binary as an optional dependency, installed beside it or below it).
 */
export function ownCodeRoots(packageRoot: string): string[] {
  let deps: string[] = [];
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    deps = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})];
  } catch {
    /* no readable manifest: the package alone */
  }
  // The node_modules folder the package was installed into (a scoped name sits one level deeper).
  const parent = dirname(packageRoot);
  const nodeModules = basename(parent).startsWith('@') ? dirname(parent) : parent;
  const roots = [packageRoot];
  for (const d of deps) {
    for (const candidate of [join(packageRoot, 'node_modules', d), join(nodeModules, d)]) if (existsSync(candidate)) roots.push(candidate);
  }
  return roots;
}

interface ProcFacts {
  ppid: number;
  exe: string | null;
  argv: string[];
}

async function facts(pid: number): Promise<ProcFacts | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const exe = await readlink(`/proc/${pid}/exe`).catch(() => null);
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter((a) => a !== '');
    return { ppid, exe, argv };
  } catch {
    return null;
  }
}

/** The TCP endpoint of a socket's peer as /proc/net/tcp{,6} writes it: the address's bytes, then the port. */
function procEndpoint(address: string, port: number): { v4: string | null; v6: string } {
  const mapped = address.startsWith('::ffff:') ? address.slice(7) : address;
  const hex4 = /^\d+\.\d+\.\d+\.\d+$/.test(mapped)
    ? mapped
        .split('.')
        .map((o) => Number(o).toString(16).padStart(2, '0'))
        .reverse()
        .join('')
        .toUpperCase()
    : null;
  // tcp6 prints four 32-bit words, each in host (little-endian) byte order.
  const v6words = hex4 ? ['00000000', '00000000', 'FFFF0000', hex4] : expand6(address);
  const p = port.toString(16).toUpperCase().padStart(4, '0');
  return { v4: hex4 ? `${hex4}:${p}` : null, v6: `${v6words.join('')}:${p}` };
}

function expand6(address: string): string[] {
  const [head, tail] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => g.padStart(4, '0'));
  const words: string[] = [];
  for (let i = 0; i < 8; i += 2) {
    const be = groups[i]! + groups[i + 1]!;
    words.push((be.match(/../g) ?? []).reverse().join('').toUpperCase());
  }
  return words;
}

/** The inode of the client's end of a connection: the /proc/net/tcp line whose local end is the peer's. */
export async function clientSocketInode(peerAddress: string, peerPort: number, localAddress: string, localPort: number): Promise<number | null> {
  const peer = procEndpoint(peerAddress, peerPort);
  const local = procEndpoint(localAddress, localPort);
  for (const [file, a, b] of [
    ['/proc/net/tcp', peer.v4, local.v4],
    ['/proc/net/tcp6', peer.v6, local.v6],
  ] as const) {
    if (!a || !b) continue;
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[1] === a && f[2] === b) return Number(f[9]);
    }
  }
  return null;
}

/** Every process holding a file descriptor to this socket inode. */
export async function socketHolders(inode: number): Promise<number[]> {
  const needle = `socket:[${inode}]`;
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((n) => /^\d+$/.test(n));
  const out: number[] = [];
  await Promise.all(
    pids.map(async (p) => {
      const fds = await readdir(`/proc/${p}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        if ((await readlink(`/proc/${p}/fd/${fd}`).catch(() => '')) === needle) {
          out.push(Number(p));
          return;
        }
      }
    }),
  );
  return out;
}

/** The lowest-numbered child of pid (a launcher has one), or null. */
async function firstChild(pid: number): Promise<number | null> {
  const kids = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const list = kids.split(' ').filter(Boolean).map(Number);
  return list.length > 0 ? Math.min(...list) : null;
}

export class AgentIdentity {
  private root: number | undefined;
  private rootExe: string | null = null;

  /** The folders of the agent's own code (its package and its dependencies); empty for a program outside npm. */
  private constructor(
    private readonly roots: readonly string[],
    /** Its package folder, or its own file: what a sandbox must keep visible for it to run. */
    readonly ownFolder: string | null,
  ) {}
  /** Launchers the program was started through (bubblewrap): the agent is the first process past them. */
  private launchers: readonly string[] = [];

  static async of(program: string, path: string | undefined): Promise<AgentIdentity> {
    const resolved = resolveProgram(program, path);
    const real = resolved ? await realpath(resolved).catch(() => resolved) : null;
    const root = real ? packageRootOf(real) : null;
    const realRoot = root ? await realpath(root).catch(() => root) : null;
    return new AgentIdentity(realRoot ? ownCodeRoots(realRoot) : [], realRoot ?? real);
  }

  private ownCode(file: string): boolean {
    return this.roots.some((r) => within(file, r));
  }

  /** The process started for the program, and the launchers it runs the program through (bubblewrap). */
  started(pid: number, launchers: readonly string[] = []): void {
    this.root = pid;
    this.launchers = launchers;
    this.resolved = launchers.length === 0;
    if (this.resolved) this.readRootExe();
  }

  private resolved = true;

  private readRootExe(): void {
    if (this.root === undefined) return;
    void readlink(`/proc/${this.root}/exe`).then(
      (exe) => (this.rootExe = exe),
      () => undefined,
    );
  }

  /** Past the launchers: the first descendant of the started process that is none of them is the program. */
  private async resolveRoot(): Promise<void> {
    if (this.resolved || this.root === undefined) return;
    let pid = this.root;
    for (let depth = 0; depth < 6; depth++) {
      const exe = await readlink(`/proc/${pid}/exe`).catch(() => null);
      if (exe && !this.launchers.includes(exe)) break;
      const child = await firstChild(pid);
      if (child === null) return; // not started yet: ask again later
      pid = child;
    }
    this.root = pid;
    this.resolved = true;
    this.rootExe = await readlink(`/proc/${pid}/exe`).catch(() => null);
  }

  /**
   * The agent: the program's process, or a child of the agent running the agent's own code — an executable inside
   * its package or one of its dependencies (Codex's native binary), or the program's own interpreter running a
   * script inside them.
   */
  async isAgent(pid: number, depth = 0): Promise<boolean> {
    await this.resolveRoot();
    if (this.root === undefined || !this.resolved || depth > 8) return false;
    if (pid === this.root) return true;
    if (this.roots.length === 0) return false;
    const f = await facts(pid);
    if (!f || !f.exe) return false;
    const ownCode =
      this.ownCode(f.exe) ||
      (f.exe === this.rootExe && f.argv[1] !== undefined && isAbsolute(f.argv[1]) && this.ownCode(await realpath(f.argv[1]).catch(() => f.argv[1]!)));
    return ownCode && this.isAgent(f.ppid, depth + 1);
  }

  /** Does the agent, and no other process, hold the client end of this connection? */
  async ownsConnection(client: Socket): Promise<boolean> {
    if (this.root === undefined || !client.remoteAddress || !client.remotePort || !client.localAddress || !client.localPort) return false;
    const inode = await clientSocketInode(client.remoteAddress, client.remotePort, client.localAddress, client.localPort);
    if (inode === null || inode === 0) return false;
    const holders = await socketHolders(inode);
    if (holders.length === 0) return false;
    for (const pid of holders) if (!(await this.isAgent(pid))) return false;
    return true;
  }
}
