// A normal npm install gives a working tool: `npm pack`, then `npm install -g` of the tarball into a throw-away
// prefix builds the native parts at install (grith's own postinstall), and `grith shell -c`, `grith mount` and
// `grith demo` work. When npm skips install scripts, the first command that needs a native part says what to do
// (absolute paths, the apt-get line for a missing compiler) and `grith doctor --fix` builds it in place.
// npm's cache is shared with the rest of the machine and --prefer-offline keeps a warm run to seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runProcess, type CliResult } from '../../support/cli.js';

let tmp: string;
let tarball: string;

/** The environment of a user's shell: nothing of the npm that runs this test suite leaks into the children. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

function run(cmd: string, args: string[], env: Record<string, string>, cwd = tmp): Promise<CliResult> {
  return runProcess(cmd, args, { cwd, env });
}

async function npmInstall(prefix: string, flags: string[]): Promise<CliResult> {
  await mkdir(path.join(prefix, 'lib'), { recursive: true }); // npm's strict preflight lstat()s it
  return run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', ...flags, tarball], userEnv());
}

/** `grith …` as a user with the prefix's bin on PATH. */
function installed(prefix: string, home: string) {
  return (args: string[], extra: Record<string, string> = {}) =>
    run(path.join(prefix, 'bin', 'grith'), args, userEnv({ PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}`, GRITH_HOME: home, GRITH_SHELL_HOST: '0', ...extra }));
}

beforeAll(async () => {
  if (!existsSync(path.join(REPO, 'dist', 'commands', 'doctor.js'))) throw new Error('grith is not built: run ./run test');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'grith-npm-install-'));
  // dist/ is current (./run built it): skip prepack's rebuild.
  const pack = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], userEnv(), REPO);
  expect(pack.code, pack.stderr).toBe(0);
  tarball = path.join(tmp, (await readdir(tmp)).find((f) => f.endsWith('.tgz'))!);
}, 120_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Every path a message names is absolute: never relative to a package folder the user never saw. */
function noRelativePaths(text: string): void {
  expect(text).not.toMatch(/(^|[\s('"])(\.\/)?(scripts|native|node_modules|patches|dist)\//);
}

describe('npm install -g of the packed tarball', () => {
  it('builds the native parts at install; grith shell -c, grith mount and grith demo work', async () => {
    // npm 11 only warns about install scripts that no allowScripts entry covers; with --strict-allow-scripts (npm
    // 12's default) grith's own postinstall and both addons need the allow list the README gives.
    const strict = await npmInstall(path.join(tmp, 'strict'), ['--strict-allow-scripts']);
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toMatch(/ESTRICTALLOWSCRIPTS/);
    for (const name of ['grith@0.1.0', 'fuse-native@', 'node-pty@']) expect(strict.stderr).toContain(name);

    const prefix = path.join(tmp, 'prefix');
    const inst = await npmInstall(prefix, ['--strict-allow-scripts', `--allow-scripts=fuse-native,node-pty,${tarball}`]);
    expect(inst.code, inst.stderr).toBe(0);
    const home = path.join(tmp, 'home');
    const g = installed(prefix, home);
    const pkg = path.join(prefix, 'lib', 'node_modules', 'grith');

    const doc = await g(['doctor', '--json']);
    const rep = JSON.parse(doc.stdout) as { root: string; checks: { id: string; status: string; detail: string }[] };
    expect(rep.root).toBe(pkg);
    for (const id of ['fuse-binding', 'exec-guard', 'pty']) {
      expect(rep.checks.find((c) => c.id === id), JSON.stringify(rep.checks)).toMatchObject({ status: 'ok' });
    }

    const sh = await g(['shell', '-c', 'echo hi']);
    expect(sh, sh.stderr).toMatchObject({ code: 0, stdout: 'hi\n' });
    // Regression: with NODE_ENV=development an installed grith warned "Could not find typescript" on every command.
    expect(await g(['canary', 'formats'], { NODE_ENV: 'development' })).toMatchObject({ code: 0, stderr: '' });

    expect((await g(['canary', 'add', '--format', 'aws', '--decoy', '.aws/credentials', '--label', 'install test'])).code).toBe(0);
    const src = path.join(tmp, 'src');
    const mnt = path.join(tmp, 'mnt');
    await mkdir(src);
    await mkdir(mnt);
    await writeFile(path.join(src, 'README'), 'hello\n');
    const mount: ChildProcess = spawn(path.join(prefix, 'bin', 'grith'), ['mount', src, mnt], {
      env: userEnv({ GRITH_HOME: home }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`mount did not start: ${out}`)), 20_000);
        mount.stdout!.on('data', (d) => {
          out += d;
          if (out.includes('serving')) {
            clearTimeout(t);
            resolve();
          }
        });
        mount.stderr!.on('data', (d) => (out += d));
        mount.once('exit', () => reject(new Error(`mount exited: ${out}`)));
      });
      expect(await readFile(path.join(mnt, 'README'), 'utf8')).toBe('hello\n');
      expect(await readFile(path.join(mnt, '.aws', 'credentials'), 'utf8')).toMatch(/aws_access_key_id/);
    } finally {
      const un = await g(['unmount', mnt]);
      expect(un.code, un.stderr).toBe(0);
      await new Promise<void>((r) => (mount.exitCode !== null ? r() : mount.once('exit', () => r())));
    }
    const events = (await g(['events', '--json'])).stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { kind: string; label?: string });
    expect(events.some((e) => e.kind === 'canary.read' && e.label === 'install test')).toBe(true);

    const demo = await g(['demo', '--json']);
    expect(demo.code, demo.stderr + demo.stdout.slice(-2000)).toBe(0);
    expect(JSON.parse(demo.stdout)).toMatchObject({ ok: true });
  }, 240_000);

  it('when npm skipped the install scripts: the first command says what to do, grith doctor --fix builds in place', async () => {
    const prefix = path.join(tmp, 'noscripts');
    const inst = await npmInstall(prefix, ['--ignore-scripts']);
    expect(inst.code, inst.stderr).toBe(0);
    const home = path.join(tmp, 'home2');
    const g = installed(prefix, home);
    const pkg = path.join(prefix, 'lib', 'node_modules', 'grith');

    const sh = await g(['shell', '-c', 'echo hi']);
    expect(sh.code).toBe(2);
    expect(sh.stdout).toBe('');
    expect(sh.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(sh.stderr).toContain(`the exec guard library is not built (${pkg}/native/execguard/build/libgrith-execguard.so)`);
    expect(sh.stderr).toMatch(/build it in place with: grith doctor --fix\)$/m);
    noRelativePaths(sh.stderr);

    // No compiler on PATH: the message names the package to install.
    const bin = path.join(tmp, 'bin-node-only');
    await mkdir(bin);
    await symlink(process.execPath, path.join(bin, 'node'));
    const nocc = await g(['shell', '-c', 'echo hi'], { PATH: `${path.join(prefix, 'bin')}:${bin}` });
    expect(nocc.code).toBe(2);
    expect(nocc.stderr).toMatch(/install cc \((sudo )?apt-get install -y gcc\), then build it in place with: grith doctor --fix/);

    const src = path.join(tmp, 'src2');
    const mnt = path.join(tmp, 'mnt2');
    await mkdir(src);
    await mkdir(mnt);
    const mount = await g(['mount', src, mnt]);
    expect(mount.code).toBe(2);
    expect(mount.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(mount.stderr).toContain(`fuse-native is not patched for grith (${pkg}/node_modules/fuse-native)`);
    expect(mount.stderr).toContain('grith doctor --fix');
    noRelativePaths(mount.stderr);

    const before = await g(['doctor', '--json']);
    expect(before.code).toBe(1);
    const missing = (JSON.parse(before.stdout) as { checks: { id: string; status: string }[] }).checks.filter((c) => c.status === 'missing').map((c) => c.id);
    expect(missing).toEqual(expect.arrayContaining(['fuse-binding', 'exec-guard', 'pty']));

    const fix = await g(['doctor', '--fix', '--json']);
    const after = JSON.parse(fix.stdout) as { ok: boolean; fixes: { action: string; ok: boolean }[]; checks: { id: string; status: string }[] };
    expect(after.fixes).toEqual([{ action: `build the native parts in ${pkg}`, ok: true }]);
    for (const id of ['fuse-binding', 'exec-guard', 'pty']) expect(after.checks.find((c) => c.id === id)?.status).toBe('ok');
    expect(fix.code).toBe(after.ok ? 0 : 1);

    const again = await g(['shell', '-c', 'echo hi']);
    expect(again, again.stderr).toMatchObject({ code: 0, stdout: 'hi\n' });
  }, 180_000);
});
