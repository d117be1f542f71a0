// Where recorded events go besides the log: a minimal sink interface and a one-line terminal alert on stderr.
import { clean as cleanText } from '../core/display.js';
import type { GrithEvent } from './types.js';

export interface EventSink {
  deliver(e: GrithEvent): void;
}

export interface LineWriter {
  write(text: string): unknown;
}

/** Alerts a human at the terminal when a canary fires or a decoy is read; other kinds are the log's business. */
export class TerminalSink implements EventSink {
  constructor(private readonly out: LineWriter = process.stderr) {}

  deliver(e: GrithEvent): void {
    if (e.kind !== 'canary.fired' && e.kind !== 'canary.read') return;
    this.out.write(formatAlert(e) + '\n');
  }
}

/**
 * One line, e.g. `grith: DENIED canary "aws-prod" (id k3x9ab2c, fp 1a2b3c4d5e6f) via base64 [proxy] at api.x.io:443 pid 42 #17`.
 * Fields are already token-free by contract; control characters are replaced so a crafted path or label
 * cannot drive the terminal.
 */
export function formatAlert(e: GrithEvent): string {
  const verb =
    e.kind === 'canary.read'
      ? 'decoy read:'
      : e.action === 'deny'
        ? 'DENIED'
        : e.action === 'alert'
          ? 'ALERT'
          : 'seen';
  const parts = [`grith: ${verb} canary "${clean(e.label ?? '?')}"`];
  const ids = [e.canaryId ? `id ${clean(e.canaryId)}` : '', e.fingerprint ? `fp ${clean(e.fingerprint)}` : ''].filter(Boolean);
  if (ids.length > 0) parts.push(`(${ids.join(', ')})`);
  if (e.variant) parts.push(`via ${clean(e.variant)}`);
  parts.push(`[${clean(e.guard)}]`);
  if (e.where) parts.push(`at ${clean(e.where)}`);
  if (e.pid !== undefined) parts.push(`pid ${e.pid}`);
  parts.push(`#${e.seq}`);
  return parts.join(' ');
}

function clean(s: string): string {
  return cleanText(s, '?');
}
