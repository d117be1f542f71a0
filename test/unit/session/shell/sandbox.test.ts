// The sandbox's bubblewrap arguments: namespaces, a read-only root, a private /tmp, grith's homes hidden unless a view
// covers them, endpoints bound under /tmp/grith, what the caller names in /tmp kept read-only (never grith's own).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bwrapArgs } from '../../../../src/session/shell/sandbox.js';
import { sandboxLayout } from '../../../../src/session/shell/sandbox-layout.js';

const base = mkdtempSync(join(tmpdir(), 'grith-sbx-unit-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const pairs = (a: string[], flag: string) => a.flatMap((x, i) => (x === flag ? [`${a[i + 1]}${a[i + 2] !== undefined && !a[i + 2]!.startsWith('--') ? ` ${a[i + 2]}` : ''}`] : []));

describe('bwrapArgs', () => {
  it('namespaces, a read-only root, a private /tmp, a supervised init', () => {
    const a = bwrapArgs({ binds: [], hide: [], cwd: '/', marker: '/dev/null', supervised: true });
    for (const f of ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--as-pid-1']) expect(a).toContain(f);
    expect(a.join(' ')).toContain('--cap-drop ALL');
    expect(a.join(' ')).toContain('--ro-bind / /');
    expect(a.join(' ')).toContain('--tmpfs /tmp');
    expect(a.join(' ')).toContain('--ro-bind /dev/null /tmp/grith/session');
  });

  it('hides grith homes with an empty folder, except below a view (the view hides them itself)', () => {
    const home = join(base, 'h');
    mkdirSync(join(home, '.grith'), { recursive: true });
    const bare = bwrapArgs({ binds: [{ src: home, dst: home, rw: true }], hide: [join(home, '.grith')], cwd: '/', marker: '/dev/null' });
    expect(pairs(bare, '--tmpfs')).toContain(join(home, '.grith'));
    const viewed = bwrapArgs({ binds: [{ src: '/x', dst: home, rw: true, view: true }], hide: [join(home, '.grith')], cwd: '/', marker: '/dev/null' });
    expect(pairs(viewed, '--tmpfs')).not.toContain(join(home, '.grith'));
  });
});

describe('sandboxLayout', () => {
  it('binds the endpoints under /tmp/grith, keeps what the environment names in /tmp read-only, but not TMPDIR or grith folders', () => {
    const named = join(base, 'gitconfig-dir');
    const tmpDir = join(base, 'tmpdir');
    const grithDir = join(tmpdir(), `grith-host-${process.getuid?.() ?? 0}-unit`);
    for (const d of [named, tmpDir, grithDir]) mkdirSync(d, { recursive: true });
    const layout = sandboxLayout({
      bwrap: '/usr/bin/bwrap',
      grant: { session: 'abcd1234', execLib: '/opt/grith/lib.so', execSock: '/tmp/grith-sh-x/exec.sock', launch: '/opt/grith/grith-launch', approvalsSock: '/tmp/grith-sh-x/approvals.sock', placed: new Map() },
      grithHome: join(base, 'grith'),
      env: { HOME: join(base, 'h'), GIT_CONFIG_GLOBAL: join(named, 'c'), PATH: `/usr/bin:${named}`, TMPDIR: tmpDir, SOME: grithDir },
      cwd: '/',
      views: [],
    });
    const started = layout.start('/bin/bash', ['-c', 'x'], { LD_PRELOAD: '/opt/grith/lib.so', GRITH_HOME: '/secret', KEEP: '1' });
    const a = started.args.join(' ');
    expect(layout.grant.execSock).toBe('/tmp/grith/exec-abcd1234.sock');
    expect(a).toContain('--ro-bind /tmp/grith-sh-x/exec.sock /tmp/grith/exec-abcd1234.sock');
    expect(a).toContain('--ro-bind /tmp/grith-sh-x/approvals.sock /tmp/grith/approvals-abcd1234.sock');
    expect(a).toContain(`--ro-bind ${named} ${named}`);
    expect(a).not.toContain(tmpDir);
    expect(a).not.toContain(grithDir);
    // The program starts under grith-launch; the exec guard is preloaded inside only; GRITH_HOME is not passed.
    expect(a).toContain('--setenv LD_PRELOAD /opt/grith/lib.so -- /opt/grith/grith-launch --exec-sock /tmp/grith/exec-abcd1234.sock');
    expect(started.env).toEqual({ KEEP: '1' });
    rmSync(grithDir, { recursive: true, force: true });
  });
});
