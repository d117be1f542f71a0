// The banner a session shows on stderr when any of its guards fires (never on stdout, which may be captured).
import type { GrithEvent } from '../events/types.js';
import { oneLine } from '../core/display.js';

const TITLES: Partial<Record<GrithEvent['kind'], string>> = {
  'canary.fired': 'CANARY FIRED',
  'canary.read': 'CANARY TOUCHED',
  'canary.context': 'CANARY IN CONTEXT',
  'canary.persisted': 'CANARY PERSISTED',
};

function whatHappened(e: GrithEvent): string {
  if (e.kind === 'canary.read') return 'decoy read';
  if (e.kind === 'canary.context') return 'the agent sent it to its model';
  if (e.kind === 'canary.persisted') return "written into the agent's own state";
  if (e.action !== 'deny') return 'alert';
  return e.guard === 'shell' ? 'exec refused' : e.guard === 'proxy' ? 'request blocked' : 'write denied';
}

/** One banner line for a canary event (fired, decoy read, model context, persisted); null for every other event. */
export function bannerLine(e: GrithEvent): string | null {
  const title = TITLES[e.kind];
  if (title === undefined) return null;
  const what = whatHappened(e);
  return oneLine(
    `grith ▲ ${title} [${e.guard}] ${what}: canary "${e.label ?? '?'}" (fp ${e.fingerprint ?? '?'}, ${e.variant ?? '?'})` +
      (e.where ? ` at ${e.where}` : ''),
    300,
  );
}

/** Framed for the terminal: its own line, reversed colours on a TTY; \r\n when the terminal is in raw mode. */
export function writeBanner(line: string, crlf: boolean, out: NodeJS.WriteStream = process.stderr): void {
  const nl = crlf ? '\r\n' : '\n';
  const color = out.isTTY === true && !process.env.NO_COLOR;
  const [on, off] = color ? ['\x1b[1;97;41m', '\x1b[0m'] : ['', ''];
  out.write(`${nl}${on} ${line} ${off}${nl}`);
}

/** For `grith mount` and `grith proxy` on their own: every canary event as one banner line on stderr. */
export function stderrBanner(quiet: boolean): ((e: GrithEvent) => void) | undefined {
  if (quiet) return undefined;
  return (e) => {
    const line = bannerLine(e);
    if (line !== null) writeBanner(line, false);
  };
}
