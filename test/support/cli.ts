// Runs the real compiled CLI (bin/run.js → dist/commands) in a child process with an isolated GRITH_HOME.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin/run.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function grith(
  args: string[],
  opts: { home: string; input?: string | Buffer; cwd?: string; env?: Record<string, string> } ,
): Promise<CliResult> {
  return runProcess(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, GRITH_HOME: opts.home, NO_COLOR: '1', ...opts.env },
    input: opts.input,
  });
}

/** Any program, with its output collected; stdin gets input (or nothing) and is closed. */
export function runProcess(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string | Buffer },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

export async function tempHome(prefix = 'grith-test-'): Promise<string> {
  return path.join(await mkdtemp(path.join(os.tmpdir(), prefix)), 'home');
}
