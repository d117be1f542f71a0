// Test helpers for the shell guard: run a real program asynchronously (the guard server shares the event loop,
// so nothing here may block it) and build the native exec guard once.
import { spawn, execFileSync, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXEC_LIB = join(REPO, 'native', 'execguard', 'build', 'libgrith-execguard.so');

export function buildExecGuard(): string {
  execFileSync(join(REPO, 'scripts', 'build-native.sh'), { stdio: 'inherit' });
  if (!existsSync(EXEC_LIB)) throw new Error('exec guard library was not built');
  return EXEC_LIB;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: SpawnOptions & { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // The program may exit without reading its input: that is not the test's failure.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(opts.input ?? '');
  });
}

/** A GitHub-PAT-shaped test token (random each run, so no test can pass on a stale value). */
export function fakeGithubToken(): string {
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(36);
  return 'ghp_' + Array.from(bytes, (b) => alnum[b % alnum.length]).join('');
}

export const BIN = join(REPO, 'bin', 'run.js');

/** `grith ARGS` through the real CLI entry, with an isolated home. */
export function grithRun(args: string[], opts: { home: string; cwd?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
  return run(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    input: opts.input,
    timeoutMs: opts.timeoutMs,
    env: { ...process.env, GRITH_HOME: opts.home, NO_COLOR: '1', ...opts.env },
  });
}

/** Add a canary through the real CLI; returns its id and value (revealed for the test only). */
export async function addCanary(home: string, args: string[]): Promise<{ id: string; value: string }> {
  const added = await grithRun(['canary', 'add', ...args, '--json'], { home });
  if (added.code !== 0) throw new Error(`canary add failed: ${added.stderr}`);
  const id = JSON.parse(added.stdout).id as string;
  const shown = await grithRun(['canary', 'show', id, '--reveal', '--json'], { home });
  if (shown.code !== 0) throw new Error(`canary show failed: ${shown.stderr}`);
  return { id, value: JSON.parse(shown.stdout).value as string };
}
