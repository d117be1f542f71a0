// One readable line per event for the terminal.
import { oneLine } from '../core/display.js';
import type { GrithEvent } from '../events/types.js';

/** Every field is cleaned: a label, path or message may hold what a terminal would act on. */
export function eventLine(e: GrithEvent): string {
  return oneLine(rawLine(e), 2000);
}

function rawLine(e: GrithEvent): string {
  const who = e.canaryId ? ` ${e.canaryId} "${e.label ?? ''}" fp=${e.fingerprint ?? '?'}` : '';
  const variant = e.variant ? ` variant=${e.variant}` : '';
  const where = e.where ? ` at ${e.where}` : '';
  const pid = e.pid ? ` pid=${e.pid}` : '';
  const msg = e.message ? ` — ${e.message}` : '';
  return `#${e.seq} ${e.ts} ${e.action.toUpperCase().padEnd(5)} ${e.guard.padEnd(5)} ${e.kind}${who}${variant}${where}${pid}${msg}`;
}
