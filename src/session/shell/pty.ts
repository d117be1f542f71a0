// An interactive shell or `-- PROGRAM` in a PTY: raw mode, resize and exit status passed through; a pipe's end on
// stdin reaches the program as Ctrl-D.
import { signalExit } from './exit-status.js';
import { loadPty } from './paths.js';
import { forwardSignals } from './signals.js';

export interface PtyRun {
  env: Record<string, string>;
  cwd: string;
  onSpawn?: (pid: number) => void;
  hardStop?: (pid: number) => void;
  /** The program entered (true) or left (false) the terminal's alternate screen (a full-screen UI). */
  onScreen?: (alternate: boolean) => void;
}

/** The last alternate-screen switch in a chunk of output (xterm private modes 1049, 1047, 47), if any. */
export function screenSwitch(chunk: string): boolean | null {
  let last: boolean | null = null;
  for (const m of chunk.matchAll(/\x1b\[\?(?:1049|1047|47)([hl])/g)) last = m[1] === 'h';
  return last;
}

export async function runInPty(file: string, args: string[], o: PtyRun): Promise<number> {
  const pty = await loadPty();
  const stdin = process.stdin;
  const stdout = process.stdout;
  const p = pty.spawn(file, args, {
    name: o.env.TERM ?? 'xterm-256color',
    cols: stdout.columns ?? 80,
    rows: stdout.rows ?? 24,
    cwd: o.cwd,
    env: o.env,
  });
  o.onSpawn?.(p.pid);
  const wasRaw = stdin.isTTY === true ? stdin.isRaw : false;
  if (stdin.isTTY === true) stdin.setRawMode(true);
  const onInput = (d: Buffer) => p.write(d);
  const onEnd = () => {
    try {
      p.write('\x04');
    } catch {
      /* closed */
    }
  };
  stdin.on('data', onInput);
  stdin.once('end', onEnd);
  stdin.resume();
  const dataSub = p.onData((d) => {
    const sw = o.onScreen ? screenSwitch(d) : null;
    // Leaving: the banner follows the program's output; entering: nothing more is shown after it.
    if (sw === true) o.onScreen!(true);
    stdout.write(d);
    if (sw === false) o.onScreen!(false);
  });
  const onResize = () => {
    try {
      p.resize(stdout.columns ?? 80, stdout.rows ?? 24);
    } catch {
      /* the PTY closed meanwhile */
    }
  };
  stdout.on('resize', onResize);
  process.on('SIGWINCH', onResize);
  const stop = forwardSignals(
    (sig) => {
      try {
        // The PTY's foreground job gets a hangup, as when a terminal closes.
        p.kill(sig === 'SIGINT' ? 'SIGINT' : 'SIGHUP');
      } catch {
        /* gone */
      }
    },
    o.hardStop && (() => o.hardStop!(p.pid)),
  );
  try {
    return await new Promise<number>((resolveCode) => {
      p.onExit(({ exitCode, signal }) => resolveCode(signal ? signalExit(signal) : exitCode));
    });
  } finally {
    stop();
    dataSub.dispose();
    stdin.off('data', onInput);
    stdin.off('end', onEnd);
    stdout.off('resize', onResize);
    process.off('SIGWINCH', onResize);
    if (stdin.isTTY === true) stdin.setRawMode(wasRaw);
    stdin.pause();
  }
}
