// oclif hook for an unknown command: one line (or a JSON error with --json), the nearest command, exit 2.
import type { Hook } from '@oclif/core';
import { writeError } from '../base-command.js';

/** Edit distance, for "did you mean": command ids are short, so the quadratic table is nothing. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

export function nearestCommand(id: string, ids: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of ids) {
    const d = distance(id, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(id.length / 3)) ? best : null;
}

const hook: Hook<'command_not_found'> = async function (opts) {
  // With a space as topic separator oclif folds every word into the id ("canary remve x"): keep the known topic
  // words and the first unknown one.
  const all = opts.id.split(':');
  const topics = new Set(opts.config.topics.map((t) => t.name));
  let known = 0;
  while (known < all.length - 1 && topics.has(all.slice(0, known + 1).join(':'))) known++;
  const id = all.slice(0, known + 1).join(':');
  const words = id.split(':').join(' ');
  const near = nearestCommand(id, [...opts.config.commandIDs, ...topics]);
  const json = (opts.argv ?? []).includes('--json') || process.argv.includes('--json');
  writeError(
    {
      code: 'UNKNOWN_COMMAND',
      message: `unknown command "${words}"`,
      hint: near ? `did you mean grith ${near.split(':').join(' ')}? see grith help` : 'see grith help for the commands',
    },
    json,
  );
  this.exit(2);
};

export default hook;
