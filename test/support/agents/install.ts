// The real agents, pinned and installed from the npm registry into a cache outside the project's dependencies,
// one folder per package@version, shared by every test file and every run on the machine. A lock (an exclusive
// mkdir, stale after its holder died) makes parallel test files wait for one install instead of racing; a finished
// install is renamed into place whole, so a half-written folder is never used.
//
// Policy: the suite runs wherever the registry is reachable (CI included) and fails loudly when an install fails.
// GRITH_AGENT_TESTS=skip opts out explicitly (the files then skip, saying why); nothing skips silently.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export type AgentName = 'claude' | 'codex';

/** Pinned versions: the newest releases that install and run here (Node 20, linux-x64, glibc). */
export const PINS: Record<AgentName, { pkg: string; version: string }> = {
  claude: { pkg: '@anthropic-ai/claude-code', version: '2.1.332' },
  codex: { pkg: '@openai/codex', version: '0.171.0' },
};

/** How long a test file may wait for an install (its own or another file's, behind the lock). */
export const INSTALL_TIMEOUT = 600_000;

export interface InstalledAgent {
  name: AgentName;
  version: string;
  /** The cache folder of this package@version. */
  dir: string;
  /** What a user's PATH finds as `claude` / `codex` (symlinks in dir/bin). */
  binDir: string;
  bin: string;
}

/** Root's cache must be readable by the unprivileged agent user, so not under /root. */
export function agentCacheRoot(): string {
  if (process.env.GRITH_AGENT_CACHE) return process.env.GRITH_AGENT_CACHE;
  if (process.getuid?.() === 0) return '/var/cache/grith-agents';
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'grith-agents');
}

export function agentTestsSkipped(): string | null {
  if (process.env.GRITH_AGENT_TESTS === 'skip') return 'GRITH_AGENT_TESTS=skip';
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the pinned agents are installed for linux-x64 only (this is ${process.platform}-${process.arch})`;
  return null;
}

function npm(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('npm', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d));
    p.stderr!.on('data', (d: Buffer) => (out += d));
    p.on('error', (e) => resolve({ code: -1, out: String(e) }));
    p.on('close', (code) => resolve({ code, out }));
  });
}

/** The executable a user's `claude` / `codex` command runs after npm's install, relative to the install folder. */
const ENTRY: Record<AgentName, string> = {
  // Claude Code's postinstall copies its platform binary over bin/claude.exe; the platform binary itself is the
  // same file and does not depend on install scripts running.
  claude: 'node_modules/@anthropic-ai/claude-code-linux-x64/claude',
  // Codex's `codex` is a Node launcher that starts the native binary bundled in its platform package.
  codex: 'node_modules/@openai/codex/bin/codex.js',
};

async function chmodTree(dir: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const p = spawn('chmod', ['-R', 'a+rX', dir], { stdio: 'ignore' });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`chmod -R a+rX ${dir} failed (${code})`))));
  });
}

async function lock(file: string, timeoutMs: number): Promise<() => Promise<void>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(file);
      await writeFile(path.join(file, 'pid'), String(process.pid));
      return () => rm(file, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number(await readFile(path.join(file, 'pid'), 'utf8').catch(() => '0'));
    const age = Date.now() - (await stat(file).then((s) => s.mtimeMs, () => Date.now()));
    const alive = holder > 0 && (() => {
      try {
        process.kill(holder, 0);
        return true;
      } catch {
        return false;
      }
    })();
    // A dead holder (or one that never wrote its pid) leaves a stale lock.
    if (!alive && age > 2_000) await rm(file, { recursive: true, force: true });
    if (Date.now() > end) throw new Error(`agent install: timed out waiting for the lock ${file} (held by pid ${holder})`);
    await sleep(250);
  }
}

export interface CachedPackage {
  /** The cache folder of this package@version. */
  dir: string;
  /** dir/bin/<bin>, a symlink to the entry point. */
  bin: string;
  /** Whether this call ran npm (false: the cache had it, or another process installed it meanwhile). */
  installed: boolean;
}

/** `pkg@version` installed once into root/<pkg>@<version>, with `bin` linked to `entry` (relative to the folder). */
export async function installCached(root: string, pkg: string, version: string, entry: string, bin: string): Promise<CachedPackage> {
  const dir = path.join(root, `${pkg.replace('/', '+')}@${version}`);
  const done = (installed: boolean): CachedPackage => ({ dir, bin: path.join(dir, 'bin', bin), installed });
  if (existsSync(path.join(dir, '.complete'))) return done(false);

  await mkdir(root, { recursive: true, mode: 0o755 });
  await chmod(root, 0o755).catch(() => undefined);
  const release = await lock(`${dir}.lock`, INSTALL_TIMEOUT - 30_000);
  try {
    if (existsSync(path.join(dir, '.complete'))) return done(false);
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    await writeFile(path.join(tmp, 'package.json'), JSON.stringify({ name: 'grith-agent-cache', private: true }));
    // --ignore-scripts: nothing of the package runs (as root) at install; the entry points need no script.
    const r = await npm(['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', '--loglevel=error', `${pkg}@${version}`], tmp);
    if (r.code !== 0 || !existsSync(path.join(tmp, entry))) {
      await rm(tmp, { recursive: true, force: true });
      throw new Error(
        `agent install: npm install ${pkg}@${version} failed (exit ${r.code}) into ${root}:\n${r.out.slice(-2000)}\n` +
          'The agent suite needs the npm registry once per version (then the cache). Set GRITH_AGENT_CACHE to move the cache, or GRITH_AGENT_TESTS=skip to skip the suite.',
      );
    }
    // The agents run as another user than the one installing (root in CI): readable and runnable by everyone.
    await chmodTree(tmp);
    await mkdir(path.join(tmp, 'bin'));
    await symlink(path.join('..', entry), path.join(tmp, 'bin', bin));
    await writeFile(path.join(tmp, '.complete'), `${pkg}@${version}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    return done(true);
  } finally {
    await release();
  }
}

export async function ensureAgent(name: AgentName): Promise<InstalledAgent> {
  const { pkg, version } = PINS[name];
  const c = await installCached(agentCacheRoot(), pkg, version, ENTRY[name], name);
  return { name, version, dir: c.dir, binDir: path.dirname(c.bin), bin: c.bin };
}
