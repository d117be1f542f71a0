// GRITH_HOME that others can write is refused by every command that uses it (like ssh with a key others can
// write), with a chmod hint; a GRITH_HOME that is a file is one clear line. Nothing in the home is touched.
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { grith, tempHome, type CliResult } from '../../support/cli.js';

function refused(r: CliResult, re: RegExp): void {
  expect(r.code, r.stdout + r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(re);
}

describe('GRITH_HOME checks', () => {
  it('regression: a group/world-writable home is refused by every command, and nothing in it changes', async () => {
    const home = await tempHome();
    expect((await grith(['canary', 'add', '--format', 'aws', '--decoy', '.aws/credentials'], { home })).code).toBe(0);
    const before = await readFile(path.join(home, 'store.json'), 'utf8');
    await chmod(home, 0o777);
    const unsafe = /^grith: GRITH_HOME .* is writable by group and others \(mode 0777\): .*\(chmod 700 .*, or run grith doctor --fix\)$/;
    for (const args of [['canary', 'list'], ['canary', 'add', '--format', 'aws'], ['events'], ['scan', '/dev/null'], ['proxy', 'ca']]) {
      refused(await grith(args, { home }), unsafe);
    }
    // The shell's lean -c path (no oclif) refuses too, before any session starts.
    refused(await grith(['shell', '-c', 'echo hi'], { home, env: { GRITH_SHELL_HOST: '0' } }), unsafe);
    const j = await grith(['canary', 'list', '--json'], { home });
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout).error).toMatchObject({ code: 'HOME_UNSAFE' });
    expect(await readFile(path.join(home, 'store.json'), 'utf8')).toBe(before);
    expect((await stat(home)).mode & 0o777).toBe(0o777);
    // The demo uses a home of its own, help needs none: neither is refused (help shown here; the demo is tested elsewhere).
    expect((await grith(['help'], { home })).code).toBe(0);
  });

  it('regression: a GRITH_HOME that is a file is one clear line, not a raw EEXIST', async () => {
    const base = path.dirname(await tempHome());
    const file = path.join(base, 'not-a-folder');
    await writeFile(file, 'mine');
    for (const args of [['canary', 'add', '--format', 'aws'], ['canary', 'list'], ['proxy', 'ca']]) {
      refused(await grith(args, { home: file }), /^grith: GRITH_HOME .*not-a-folder is a file, not a folder \(point GRITH_HOME at a folder/);
    }
    const r = await grith(['canary', 'add', '--format', 'aws'], { home: path.join(file, 'sub') });
    refused(r, /^grith: GRITH_HOME .*not-a-folder\/sub cannot be a folder: .*not-a-folder is a file/);
    expect(r.stderr).not.toContain('EEXIST');
    expect(await readFile(file, 'utf8')).toBe('mine');
  });

  it('a home of mode 0750 stays usable', async () => {
    const home = await tempHome();
    await mkdir(home, { mode: 0o750 });
    await chmod(home, 0o750);
    expect((await grith(['canary', 'list'], { home })).code).toBe(0);
  });
});
