// One real `grith shell` session per scenario file, driven like an agent drives its shell: the test writes a command
// file, a driver loop inside the session runs it with bash and reports its exit status and output. All waits poll for
// what happened (a file, an event); every process started here is stopped in stop(), also after a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Canary } from '../../../src/core/canary.js';
import type { GrithEvent } from '../../../src/events/types.js';
import { forceUnmount, isMounted } from '../../../src/guards/fs/mount-table.js';
import { addCanary, type AddCanaryInput } from '../../../src/session/canary-ops.js';
import { listMounts } from '../../../src/session/mount-admin.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin', 'run.js');
/** The in-session client (node script): reads a canary from a file or variable and sends / writes it. */
export const CLIENT = join(ROOT, 'test', 'support', 'scenarios', 'exfil-client.mjs');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A fresh folder for one scenario file: base/{home,src,user}, and the driver's control folder in the user's home
 * (a `-c` session's home is writable in place; the rest of the disk, /tmp included, is not the session's).
 */
export async function scenarioBase(prefix: string): Promise<{ base: string; home: string; src: string; ctl: string; user: string }> {
  // Short paths: the session's socket path must fit sun_path, and the driver's paths appear in every command.
  const base = await mkdtemp(join(tmpdir(), `gs-${prefix}-`));
  const dirs = { base, home: join(base, 'home'), src: join(base, 'src'), ctl: join(base, 'user', '.scenario-ctl'), user: join(base, 'user') };
  for (const d of [dirs.src, dirs.ctl, dirs.user]) await mkdir(d, { recursive: true });
  return dirs;
}

/** Canaries through the same code `grith canary add` runs (in-process: 100 CLI starts would cost a minute). */
export async function addCanaries(home: string, inputs: AddCanaryInput[]): Promise<Canary[]> {
  const out: Canary[] = [];
  for (const i of inputs) out.push(await addCanary(home, i));
  return out;
}

/** What a user's shell has, isolated: HOME, git identity, quiet npm; the proxy CA of the attacker for the session proxy. */
export function sessionEnv(home: string, user: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: user,
    GRITH_HOME: home,
    NO_COLOR: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Agent',
    GIT_AUTHOR_EMAIL: 'agent@example.invalid',
    GIT_COMMITTER_NAME: 'Agent',
    GIT_COMMITTER_EMAIL: 'agent@example.invalid',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_cache: join(user, '.npm'),
    PYTHONDONTWRITEBYTECODE: '1',
    // No background shell host: it would outlive the test (it idles out later) and keep a deleted home in use.
    GRITH_SHELL_HOST: '0',
    ...extra,
  };
  return env;
}

const DRIVER = `# grith scenario driver: runs inside the guarded session; one command file per line read from the FIFO.
ctl="$1"
exec 3<>"$ctl/in.fifo"
printf '%s\\n' "$PWD" > "$ctl/ready"
while IFS= read -r n <&3; do
  [ "$n" = exit ] && break
  timeout -k 5 "\${GRITH_SCN_TIMEOUT:-100}" bash "$ctl/cmd.$n" </dev/null >"$ctl/out.$n" 2>"$ctl/err.$n"
  echo "$?" >"$ctl/rc.$n"
done
`;

export interface Session {
  /** The session's working folder (the mountpoint with --mount). */
  cwd: string;
  ctl: string;
  proc: ChildProcess;
  /** Run one command (bash script text) in the session; resolves with its status and output. */
  run(script: string, timeoutMs?: number): Promise<RunResult>;
  /** The session's own stdout+stderr so far (grith's banners, for diagnostics). */
  output(): string;
  stop(): Promise<void>;
}

function spawnAsync(cmd: string, args: string[]): Promise<number | null> {
  return new Promise((r) => {
    const p = spawn(cmd, args, { stdio: 'ignore' });
    p.on('error', () => r(-1));
    p.on('close', (c) => r(c));
  });
}

/**
 * Start `grith shell [ARGS] -c 'bash driver'` and wait until the driver runs inside it. `mountpoints` are unmounted
 * (forcibly if needed) by stop().
 */
export async function startSession(o: { home: string; ctl: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; mountpoints?: string[] }): Promise<Session> {
  if (!existsSync(join(ROOT, 'dist', 'commands', 'shell.js'))) throw new Error('grith is not built: run `npm run build` (or ./run test) first');
  await writeFile(join(o.ctl, 'driver.sh'), DRIVER);
  if ((await spawnAsync('mkfifo', [join(o.ctl, 'in.fifo')])) !== 0) throw new Error('mkfifo failed');
  const proc = spawn(process.execPath, [BIN, 'shell', ...o.args, '-c', `bash "${o.ctl}/driver.sh" "${o.ctl}"`], {
    cwd: o.cwd,
    env: o.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (c, s) => r(c ?? (s ? 128 : null))));
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  let n = 0;

  const stop = async (): Promise<void> => {
    if (!hasExited) {
      await appendFile(join(o.ctl, 'in.fifo'), 'exit\n').catch(() => undefined);
      const t = await Promise.race([exited.then(() => 'exit'), sleep(30_000).then(() => 'slow')]);
      if (t === 'slow' && !hasExited) {
        proc.kill('SIGTERM');
        if ((await Promise.race([exited.then(() => 'exit'), sleep(15_000).then(() => 'slow')])) === 'slow') {
          try {
            process.kill(-proc.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
          await exited;
        }
      }
    }
    // A mount child left behind by a killed session: stop it and release the mountpoint.
    for (const m of await listMounts(o.home).catch(() => [])) {
      if (m.state !== 'active') continue;
      try {
        process.kill(m.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    for (const mp of o.mountpoints ?? []) {
      for (let i = 0; i < 50 && (await isMounted(mp)); i++) await sleep(100);
      if (await isMounted(mp)) await forceUnmount(mp);
    }
  };

  const ready = join(o.ctl, 'ready');
  const deadline = Date.now() + 60_000;
  while (!existsSync(ready)) {
    if (hasExited || Date.now() > deadline) {
      await stop();
      throw new Error(`grith shell session did not start:\n${out}`);
    }
    await sleep(50);
  }
  const cwd = (await readFile(ready, 'utf8')).trim();

  return {
    cwd,
    ctl: o.ctl,
    proc,
    output: () => out,
    stop,
    async run(script, timeoutMs = 100_000) {
      const i = ++n;
      await writeFile(join(o.ctl, `cmd.${i}`), script);
      await appendFile(join(o.ctl, 'in.fifo'), `${i}\n`);
      const rc = join(o.ctl, `rc.${i}`);
      const end = Date.now() + timeoutMs;
      for (;;) {
        const text = await readFile(rc, 'utf8').catch(() => '');
        if (/^\d+\n$/.test(text)) {
          const [stdout, stderr] = await Promise.all([readFile(join(o.ctl, `out.${i}`), 'utf8'), readFile(join(o.ctl, `err.${i}`), 'utf8')]);
          return { code: Number(text), stdout, stderr };
        }
        if (hasExited) throw new Error(`the session ended while running command ${i}:\n${out}`);
        if (Date.now() > end) throw new Error(`command ${i} did not finish in ${timeoutMs} ms`);
        await sleep(25);
      }
    },
  };
}

/** The event log as it is now (a line being appended at this moment is left for the next read). */
export async function readEvents(home: string): Promise<GrithEvent[]> {
  const text = await readFile(join(home, 'events.jsonl'), 'utf8').catch(() => '');
  const out: GrithEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as GrithEvent);
    } catch {
      /* the last line, still being written */
    }
  }
  return out;
}

export async function lastSeq(home: string): Promise<number> {
  return (await readEvents(home)).at(-1)?.seq ?? 0;
}

/** Events after seq `after` once `pred` holds for one of them (or the time is up: then whatever there is). */
export async function eventsUntil(home: string, after: number, pred: (e: GrithEvent) => boolean, ms = 10_000): Promise<GrithEvent[]> {
  const end = Date.now() + ms;
  for (;;) {
    const evs = (await readEvents(home)).filter((e) => e.seq > after);
    if (evs.some(pred) || Date.now() > end) return evs;
    await sleep(50);
  }
}

/** `grith mount SRC MNT ARGS --json` as its own process, resolved once it serves. */
export async function startMount(home: string, src: string, mnt: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; stop(): Promise<void> }> {
  await mkdir(mnt, { recursive: true });
  const proc = spawn(process.execPath, [BIN, 'mount', src, mnt, ...args, '--json'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  let gone = false;
  void exited.then(() => (gone = true));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const ok = await new Promise<boolean>((r) => {
    const t = setTimeout(() => r(false), 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/"mounted"/.test(out)) {
        clearTimeout(t);
        r(true);
      }
    });
    void exited.then(() => {
      clearTimeout(t);
      r(false);
    });
  });
  const stop = async (): Promise<void> => {
    if (!gone) {
      proc.kill('SIGTERM');
      if ((await Promise.race([exited.then(() => 'exit'), sleep(15_000).then(() => 'slow')])) === 'slow') {
        proc.kill('SIGKILL');
        await exited;
      }
    }
    if (await isMounted(mnt)) await forceUnmount(mnt);
  };
  if (!ok) {
    await stop();
    throw new Error(`grith mount did not come up:\n${out}`);
  }
  return { proc, stop };
}

/** bash -c CMD on the test's side (outside any session), asynchronously; throws with stderr when it fails. */
export function hostSh(cmd: string, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', npm_config_update_notifier: 'false' };
    const p = spawn('bash', ['-c', cmd], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${cmd} failed (${code}): ${stderr}`))));
  });
}

/** A bare repository `name` under gitRoot with one commit on main, pushable over smart HTTP. */
export async function seedBareRepo(gitRoot: string, name: string, files: Record<string, string>, work: string): Promise<string> {
  await mkdir(work, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(work, rel, '..'), { recursive: true });
    await writeFile(join(work, rel), text);
  }
  const bare = join(gitRoot, name);
  await hostSh(
    [
      'git init -q -b main',
      'git -c user.name=Dev -c user.email=dev@example.invalid add .',
      'git -c user.name=Dev -c user.email=dev@example.invalid commit -qm "initial import"',
      `git init -q --bare -b main ${bare}`,
      `git -C ${bare} config http.receivepack true`,
      `git push -q ${bare} main`,
    ].join(' && '),
    work,
  );
  return bare;
}

export async function removeBase(base: string): Promise<void> {
  await rm(base, { recursive: true, force: true }).catch(() => undefined);
}
