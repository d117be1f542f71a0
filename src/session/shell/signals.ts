// Signals sent to grith go to the session instead: the program decides what SIGINT means, and a session that does not
// end on SIGTERM/SIGHUP/SIGQUIT within 3 s is ended hard.
import { spawn } from 'node:child_process';
import { DENIED_EXIT, exitStatus } from './exit-status.js';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
const HARD_STOP_MS = 3000;

/** Deliver every forwarded signal; start the hard stop on the first that is not SIGINT. Returns the undo. */
export function forwardSignals(deliver: (sig: NodeJS.Signals) => void, hardStop?: () => void): () => void {
  let hard: NodeJS.Timeout | null = null;
  const handler = (sig: NodeJS.Signals) => {
    deliver(sig);
    if (sig !== 'SIGINT' && hardStop && !hard) {
      hard = setTimeout(hardStop, HARD_STOP_MS);
      hard.unref();
    }
  };
  for (const s of FORWARDED) process.on(s, handler);
  return () => {
    for (const s of FORWARDED) process.off(s, handler);
    if (hard) clearTimeout(hard);
  };
}

export interface ForwardedRun {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called with the child's pid once it runs (the session needs it to end the whole tree). */
  onSpawn?: (pid: number | undefined) => void;
  hardStop?: (pid: number | undefined) => void;
}

/**
 * Run file with grith's own stdin/stdout/stderr, so output and exit status are the program's. A program that cannot
 * be started (refused by an enclosing exec guard, which said why, or missing) is bash's 126.
 */
export function runForwarding(file: string, args: readonly string[], o: ForwardedRun): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'inherit', env: o.env, cwd: o.cwd });
    o.onSpawn?.(child.pid);
    const stop = forwardSignals(
      (sig) => child.kill(sig),
      o.hardStop && (() => o.hardStop!(child.pid)),
    );
    child.once('error', (e: NodeJS.ErrnoException) => {
      stop();
      if (e.code !== 'EACCES') process.stderr.write(`grith: cannot run ${file}: ${e.code ?? e.message}\n`);
      resolve(DENIED_EXIT);
    });
    child.once('exit', (code, signal) => {
      stop();
      resolve(exitStatus(code, signal));
    });
  });
}
