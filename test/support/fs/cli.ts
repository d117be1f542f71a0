// Drives the real `grith` binary (bin/run.js over dist/) for mount tests: start a mount process, wait until it
// serves, run other grith commands, and always clean up.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run, type RunResult } from './harness.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin/run.js');

/** dist/ must hold the compiled commands (`npm test` builds first); build once here when it does not. */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(join(ROOT, 'dist/commands/mount.js'))) return;
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, timeoutMs: 180_000 });
}

export function grith(home: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return run(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, GRITH_HOME: home, ...extraEnv } });
}

export interface MountProc {
  proc: ChildProcess;
  ready: Record<string, unknown>;
  output: () => string;
  exited: Promise<number | null>;
}

/** Start `grith mount ... --json` and resolve once it printed its ready line (reject with its output otherwise). */
export function startMountProc(home: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<MountProc> {
  return new Promise((resolveP, reject) => {
    const proc = spawn(process.execPath, [BIN, 'mount', ...args, '--json'], {
      cwd: ROOT,
      env: { ...process.env, GRITH_HOME: home, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let done = false;
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      if (!done) {
        done = true;
        proc.kill('SIGKILL');
        reject(new Error(`mount did not become ready:\n${out}`));
      }
    }, 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{') && l.includes('"mounted"'));
      if (line && !done) {
        done = true;
        clearTimeout(timer);
        resolveP({ proc, ready: JSON.parse(line).mounted, output: () => out, exited });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        reject(new Error(`mount exited (${code}) before ready:\n${out}`));
      }
    });
  });
}
