// The canary commands as a user runs them: real processes, a real store on disk, real decoy files.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { grith, tempHome } from '../../support/cli.js';

async function reveal(home: string, id: string): Promise<{ value: string; companions?: Record<string, string> }> {
  const r = await grith(['canary', 'show', id, '--reveal', '--json'], { home });
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('grith canary', () => {
  it('lists the formats, with --json', async () => {
    const home = await tempHome();
    const r = await grith(['canary', 'formats', '--json'], { home });
    expect(r.code).toBe(0);
    const ids = (JSON.parse(r.stdout) as { id: string }[]).map((f) => f.id);
    for (const id of ['aws', 'github-pat', 'github-fine-grained', 'gitlab-pat', 'slack-bot', 'stripe-live', 'openai-project', 'anthropic', 'npm', 'jwt', 'ssh-ed25519', 'database-url', 'generic']) {
      expect(ids).toContain(id);
    }
  });

  it('adds with several placements, writes a 0600 decoy, masks the value unless --reveal', async () => {
    const home = await tempHome();
    const dir = path.dirname(home);
    const place = path.join(dir, 'ws', '.aws', 'credentials');
    const add = await grith(
      ['canary', 'add', '--format', 'aws', '--label', 'prod key', '--place', place, '--decoy', '.aws/credentials', '--env', 'AWS_SECRET_ACCESS_KEY', '--json'],
      { home },
    );
    expect(add.code, add.stderr).toBe(0);
    const added = JSON.parse(add.stdout);
    expect(added.placements.map((p: { kind: string }) => p.kind)).toEqual(['file', 'decoy', 'env']);
    const { value, companions } = await reveal(home, added.id);
    expect(add.stdout).not.toContain(value);
    const content = await readFile(place, 'utf8');
    expect(content).toContain(value);
    expect(content).toContain(companions!.accessKeyId);
    expect(content).toMatch(/\[default\]/);
    expect(statSync(place).mode & 0o777).toBe(0o600);
    expect(statSync(place).mtimeMs).toBeLessThan(Date.now() - 86_400_000); // aged, not "just created"
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(home, 'store.json')).mode & 0o777).toBe(0o600);

    const list = await grith(['canary', 'list'], { home });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(added.id);
    expect(list.stdout).toContain('prod key');
    expect(list.stdout).not.toContain(value);
    const listRevealed = await grith(['canary', 'list', '--reveal', '--json'], { home });
    expect(listRevealed.stdout).toContain(value);
  });

  it('refuses to overwrite an existing file and leaves it and the store untouched', async () => {
    const home = await tempHome();
    const file = path.join(path.dirname(home), 'existing.env');
    await writeFile(file, 'MINE=1\n');
    const r = await grith(['canary', 'add', '--format', 'generic', '--place', file], { home });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('refusing to overwrite');
    expect(await readFile(file, 'utf8')).toBe('MINE=1\n');
    const list = await grith(['canary', 'list', '--json'], { home });
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('gives one clear line and a non-zero exit for unknown ids, formats, bad flags and a missing home', async () => {
    const home = await tempHome();
    const cases: [string[], RegExp][] = [
      [['canary', 'add', '--format', 'nope'], /unknown canary format "nope"/],
      [['canary', 'show', 'zzzzzzzz'], /grith home .* does not exist|no canary/],
      [['canary', 'add', '--format', 'aws', '--decoy', '../escape'], /invalid --decoy/],
      [['canary', 'add', '--format', 'aws', '--env', '1BAD'], /invalid --env/],
      [['canary', 'add', '--bogus'], /Nonexistent flag|Unexpected argument|bogus/i],
      [['canary', 'rotate', 'zzzzzzzz'], /does not exist|no canary/],
    ];
    for (const [args, re] of cases) {
      const r = await grith(args, { home });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(re);
    }
    await grith(['canary', 'add', '--format', 'generic'], { home });
    const unknown = await grith(['canary', 'show', 'zzzzzzzz', '--json'], { home });
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout).error.code).toBe('CANARY_NOT_FOUND');
  });

  it('rotates: same id, new value, own unchanged decoy rewritten, user-edited file kept, old value stops matching', async () => {
    const home = await tempHome();
    const dir = path.dirname(home);
    const mine = path.join(dir, 'a', '.env');
    const edited = path.join(dir, 'b', '.env');
    const add = JSON.parse(
      (await grith(['canary', 'add', '--format', 'database-url', '--place', mine, '--place', edited, '--json'], { home })).stdout,
    );
    const before = await reveal(home, add.id);
    await writeFile(edited, (await readFile(edited, 'utf8')) + 'EXTRA=1\n');
    const editedBytes = await readFile(edited);
    const rot = await grith(['canary', 'rotate', add.id, '--json'], { home });
    expect(rot.code, rot.stderr).toBe(0);
    const out = JSON.parse(rot.stdout);
    expect(out.canary.id).toBe(add.id);
    expect(out.canary.rotatedAt).toBeTruthy();
    expect(out.files).toEqual([
      { path: mine, state: 'unchanged', action: 'rewritten' },
      { path: edited, state: 'modified', action: 'kept' },
    ]);
    const after = await reveal(home, add.id);
    expect(after.value).not.toBe(before.value);
    expect(await readFile(mine, 'utf8')).toContain(after.value);
    expect(await readFile(edited)).toEqual(editedBytes);
    const oldLeak = path.join(dir, 'old.txt');
    await writeFile(oldLeak, `url=${before.value}\n`);
    expect((await grith(['scan', oldLeak], { home })).code).toBe(0);
    const newLeak = path.join(dir, 'new.txt');
    await writeFile(newLeak, `url=${after.value}\n`);
    expect((await grith(['scan', newLeak], { home })).code).toBe(1);
  });

  it('removes the canary and only the decoy files still as grith wrote them', async () => {
    const home = await tempHome();
    const dir = path.dirname(home);
    const mine = path.join(dir, 'x', 'id_ed25519');
    const edited = path.join(dir, 'y', 'id_ed25519');
    const add = JSON.parse(
      (await grith(['canary', 'add', '--format', 'ssh-ed25519', '--place', mine, '--place', edited, '--json'], { home })).stdout,
    );
    await writeFile(edited, 'replaced by the user\n');
    const rm = await grith(['canary', 'remove', add.id.slice(0, 5), '--json'], { home });
    expect(rm.code, rm.stderr).toBe(0);
    expect(existsSync(mine)).toBe(false);
    expect(await readFile(edited, 'utf8')).toBe('replaced by the user\n');
    expect(JSON.parse((await grith(['canary', 'list', '--json'], { home })).stdout)).toEqual([]);
  });

  it('never overwrites a corrupt store: one clear line naming the file, bytes unchanged', async () => {
    const corrupt: (string | Buffer)[] = [
      Buffer.from([0xff, 0x00, 0x13, 0x37, 0x7b]),
      '{"schema":"grith.store","version":1,"canaries":[{"id":"ab',
      '{"foo":1}',
      '{"schema":"grith.store","version":99,"canaries":[],"settings":{}}',
    ];
    for (const bytes of corrupt) {
      const home = await tempHome();
      await mkdir(home, { recursive: true, mode: 0o700 });
      const file = path.join(home, 'store.json');
      await writeFile(file, bytes);
      const sha = createHash('sha256').update(await readFile(file)).digest('hex');
      for (const args of [['canary', 'add', '--format', 'aws'], ['canary', 'list'], ['scan', '-']]) {
        const r = await grith(args, { home });
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toContain(file);
      }
      const json = await grith(['canary', 'list', '--json'], { home });
      expect(JSON.parse(json.stdout).error.code).toBe('STORE_CORRUPT');
      expect(createHash('sha256').update(await readFile(file)).digest('hex')).toBe(sha);
    }
  });
});
