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
    child.stdin!.end(opts.input ?? '');
  });
}

/** A GitHub-PAT-shaped test token (random each run, so no test can pass on a stale value). */
export function fakeGithubToken(): string {
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(36);
  return 'ghp_' + Array.from(bytes, (b) => alnum[b % alnum.length]).join('');
}
