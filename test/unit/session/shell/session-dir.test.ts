// Session folders left by a session that died are swept; a live session's, another user's or a busy one are not.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSessionDir, sweepStaleSessionDirs } from '../../../../src/session/shell/session-dir.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A pid that no process has: one that just exited. */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

describe('session folders', () => {
  it("a new one records its owner; a dead owner's is swept, a live one kept", () => {
    const live = makeSessionDir('0000live');
    made.push(live);
    const stale = mkdtempSync(join(tmpdir(), 'grith-sh-0000dead-'));
    made.push(stale);
    writeFileSync(join(stale, 'owner'), String(deadPid()));
    writeFileSync(join(stale, 'ca-bundle.pem'), 'x');
    const busy = mkdtempSync(join(tmpdir(), 'grith-sh-0000busy-'));
    made.push(busy);
    writeFileSync(join(busy, 'owner'), String(deadPid()));
    mkdirSync(join(busy, 'ws'));
    writeFileSync(join(busy, 'ws', 'file'), 'a mount still serving');
    expect(sweepStaleSessionDirs()).toBeGreaterThanOrEqual(1);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(busy)).toBe(true);
  });
});
