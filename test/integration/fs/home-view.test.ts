// A read-only view with writable paths (a sandboxed session's home): every change outside them is EROFS and a
// write.refused event; a canary written in a writable path is denied, in the agent's own state it is recorded as
// canary.persisted; folders leading to a writable path can be made.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMount, type Harness } from '../../support/fs/harness.js';
import { makeCanary } from '../../support/canaries.js';

const canary = makeCanary({ format: 'github-pat', label: 'home-view' });
const T = canary.value;

describe('a home view: read-only but for .npm, .cache/pip and the agent state .claude', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startMount({ canaries: [canary], zones: ['.npm', '.cache/pip', '.claude'], zonePolicy: 'deny', readOnlyOutsideZone: true, agentState: ['.claude'] });
    await writeFile(join(h.src, 'notes.txt'), 'mine\n');
    await mkdir(join(h.src, '.npm'));
  });
  afterAll(async () => {
    await h?.close();
  });
  const refused = () => h.ctx.events.filter((e) => e.kind === 'write.refused');

  test('changes outside the writable paths: EROFS, SOURCE untouched, one write.refused each', async () => {
    const r = await h.sh(
      'echo x > new.txt; echo "a=$?"; echo y >> notes.txt; echo "b=$?"; rm notes.txt; echo "c=$?"; mkdir d; echo "d=$?"; ' +
        'mv notes.txt n2; echo "e=$?"; chmod 600 notes.txt; echo "f=$?"; ln -s x lnk; echo "g=$?"; touch notes.txt; echo "h=$?"',
    );
    expect(r.stdout.trim().split('\n')).toEqual(['a=1', 'b=1', 'c=1', 'd=1', 'e=1', 'f=1', 'g=1', 'h=1']);
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(await readFile(join(h.src, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(h.src, 'new.txt'))).toBe(false);
    await h.ctx.waitFor((e) => e.kind === 'write.refused', 8);
    expect(refused().length).toBeGreaterThanOrEqual(8);
    expect(refused()[0]).toMatchObject({ guard: 'fs', action: 'deny', where: join(h.mnt, 'new.txt') });
  });

  test('writable paths work, also when their folders are made first', async () => {
    const r = await h.sh('mkdir -p .cache/pip/http && echo ok > .cache/pip/http/a && echo pkg > .npm/b && cat .cache/pip/http/a .npm/b');
    expect(r.stdout).toBe('ok\npkg\n');
    expect(existsSync(join(h.src, '.cache/pip/http/a'))).toBe(true);
  });

  test('a canary written to a cache is denied; to the agent state it is kept and recorded as canary.persisted', async () => {
    const r = await h.sh(`printf '%s' "${T}" > .npm/leak; echo "npm=$?"; mkdir -p .claude/projects; printf '%s\\n' "${T}" > .claude/projects/s.jsonl; echo "state=$?"`);
    expect(r.stdout.trim().split('\n')).toEqual(['npm=1', 'state=0']);
    const [persisted] = await h.ctx.waitFor((e) => e.kind === 'canary.persisted');
    expect(persisted).toMatchObject({ action: 'alert', canaryId: canary.id, where: join(h.mnt, '.claude/projects/s.jsonl') });
    expect(await readFile(join(h.src, '.claude/projects/s.jsonl'), 'utf8')).toBe(`${T}\n`);
    expect(h.ctx.events.filter((e) => e.kind === 'canary.fired').map((e) => e.where)).toEqual([join(h.mnt, '.npm/leak')]);
  });
});
