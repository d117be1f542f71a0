// Child processes of the demo: run one to completion with its output captured (never shown: it may carry masked
// token fragments and is noise), a time limit, and a registry so an interrupted demo can end every one it started.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Every child still running, so cleanup can end them. */
export const running = new Set<ChildProcess>();

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** SIGTERM, then SIGKILL if it is still there after graceMs. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (exited(child)) return;
  child.kill('SIGTERM');
  if (await waitExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitExit(child, 2000);
}

export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export function runCaptured(cmd: string, args: string[], opts: SpawnOptions & { timeoutMs: number }): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout = (stdout + d).slice(-20_000)));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-20_000)));
    const t = setTimeout(() => {
      timedOut = true;
      void stopChild(child, 3000);
    }, opts.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Run a setup command; a failure is an error naming the command (its output is not repeated). */
export async function runQuiet(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<void> {
  const r = await runCaptured(cmd, args, { ...opts, timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args[0] ?? ''} failed (${r.timedOut ? 'timed out' : `exit ${r.code ?? r.signal}`})`);
}
