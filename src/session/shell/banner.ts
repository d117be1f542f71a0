// The banner a session shows on stderr when any of its guards fires (never on stdout, which may be captured).
import type { GrithEvent } from '../../events/types.js';
import { oneLine } from '../../core/display.js';

/** One banner line for a fired canary or a touched decoy; null for every other event. */
export function bannerLine(e: GrithEvent): string | null {
  if (e.kind !== 'canary.fired' && e.kind !== 'canary.read') return null;
  const what =
    e.kind === 'canary.read'
      ? 'decoy read'
      : e.action === 'deny'
        ? e.guard === 'shell'
          ? 'exec refused'
          : e.guard === 'proxy'
            ? 'request blocked'
            : 'write denied'
        : 'alert';
  const title = e.kind === 'canary.read' ? 'CANARY TOUCHED' : 'CANARY FIRED';
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
