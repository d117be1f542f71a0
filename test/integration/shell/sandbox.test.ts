// The sandboxed session, from inside, as the agent grith assumes may be compromised: grith's store, CA key, log and
// processes are out of reach, grith commands refuse, the disk is read-only but for the workspace (at its real path),
// the scanned home and a private /tmp — and the canary still fires afterwards. As root and as an ordinary user.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrithEvent } from '../../../src/events/types.js';
import { BIN, addCanary, buildExecGuard, run } from '../../support/shell-run.js';
import { chownTree, testUser, type TestUser } from '../../support/users.js';

const dirs: string[] = [];
beforeAll(() => {
  buildExecGuard();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** One line per probe: NAME=ok (it worked) or NAME=no (it was refused), whatever the tool's own wording. */
const PROBES = String.raw`
p() { if eval "$2" >/dev/null 2>&1; then echo "$1=ok"; else echo "$1=no"; fi; }
p env-home '[ -n "$GRITH_HOME" ]'
p read-store 'cat "$H/store.json"'
p list-home 'ls "$H" | grep -q .'
p read-ca-key 'cat "$H/ca/grith-ca.key"'
p read-log 'cat "$H/events.jsonl"'
p default-home 'ls ~/.grith/store.json'
p grith-list 'node "$BIN" canary list --reveal'
p grith-remove 'node "$BIN" canary remove "$ID"'
p see-guards 'ps -eo args | grep -v grep | grep -q "grith.*mount\|run.js shell"'
p kill-parent 'kill -9 $PPID'
p write-etc 'echo x > /etc/grith-sandbox-probe'
p write-home 'echo x > ~/outside-file'
p write-npm 'mkdir -p ~/.npm && echo clean > ~/.npm/clean-file'
p cp-decoy-npm 'cp .env ~/.npm/stolen'
p cp-decoy-tmp 'cp .env /tmp/staged && grep -q . /tmp/staged'
p ws-real-path '[ "$PWD" = "$SRC" ] && [ -f .env ] && [ -f README.md ]'
p ws-write 'echo hello > notes.txt'
p token-fires '/bin/echo "$GITHUB_TOKEN"'
`;

for (const who of ['root', 'an ordinary user'] as const) {
  describe(`inside a sandboxed session (${who})`, () => {
    let user: TestUser | null = null;
    let base: string;
    let home: string;
    let userHome: string;
    let src: string;
    let token: { id: string; value: string };
    let r: Awaited<ReturnType<typeof run>>;
    let events: GrithEvent[];
    const probe = (name: string) => new RegExp(`^${name}=(ok|no)$`, 'm').exec(r.stdout)?.[1];

    beforeAll(async () => {
      user = who === 'root' ? null : testUser();
      base = mkdtempSync(join(tmpdir(), 'grith-sbx-'));
      dirs.push(base);
      home = join(base, 'grith');
      userHome = join(base, 'home');
      src = join(base, 'home', 'project');
      mkdirSync(src, { recursive: true });
      writeFileSync(join(src, 'README.md'), '# project\n');
      token = await addCanary(home, ['--format', 'github-pat', '--label', 'sbx-token', '--env', 'GITHUB_TOKEN', '--decoy', '.env']);
      if (user) chownTree(base, user);
      r = await run(process.execPath, [BIN, 'shell', '--no-proxy', '--mount', src, '--', 'bash', '-c', PROBES], {
        cwd: src,
        timeoutMs: 90_000,
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
        env: { PATH: process.env.PATH, HOME: userHome, GRITH_HOME: home, NO_COLOR: '1', H: home, BIN, ID: token.id, SRC: src },
      });
      const log = await run(process.execPath, [BIN, 'events', '--json'], { env: { ...process.env, GRITH_HOME: home } });
      events = log.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as GrithEvent);
    }, 120_000);

    it('the session ran', () => {
      expect(r.code, r.stderr).toBe(0);
    });

    it("grith's state is out of reach: no GRITH_HOME, no store, CA key or log, no grith command that reveals or changes canaries", () => {
      for (const name of ['env-home', 'read-store', 'list-home', 'read-ca-key', 'read-log', 'default-home', 'grith-list', 'grith-remove']) {
        expect(probe(name), name).toBe('no');
      }
      expect(r.stderr).not.toContain(token.value);
      // The store still holds the canary, untouched from inside.
      expect(readFileSync(join(home, 'store.json'), 'utf8')).toContain(token.id);
    });

    it('the guard processes are neither visible nor killable from inside', () => {
      expect(probe('see-guards')).toBe('no');
      // $PPID inside is the sandbox's own init, not grith: killing it is refused or meaningless, and the session goes on.
      expect(probe('token-fires')).toBe('no');
    });

    it('the disk is read-only but for the workspace, the scanned home paths and a private /tmp', () => {
      expect(probe('write-etc')).toBe('no');
      expect(probe('write-home')).toBe('no');
      expect(existsSync(join(userHome, 'outside-file'))).toBe(false);
      expect(probe('write-npm')).toBe('ok');
      expect(readFileSync(join(userHome, '.npm', 'clean-file'), 'utf8')).toBe('clean\n');
      expect(probe('cp-decoy-npm')).toBe('no');
      expect(existsSync(join(userHome, '.npm', 'stolen'))).toBe(false);
      expect(probe('cp-decoy-tmp')).toBe('ok');
      expect(readdirSync(tmpdir()).includes('staged')).toBe(false);
    });

    it('the workspace is seen at its real path and written through the scanning mount', () => {
      expect(probe('ws-real-path')).toBe('ok');
      expect(probe('ws-write')).toBe('ok');
      expect(readFileSync(join(src, 'notes.txt'), 'utf8')).toBe('hello\n');
      // The decoy was served, never written to the real folder.
      expect(existsSync(join(src, '.env'))).toBe(false);
    });

    it('records every refusal, and the canary still fires after the attempts on the trap', () => {
      const kinds = events.map((e) => `${e.kind}:${e.guard}:${e.action}`);
      expect(kinds).toContain('write.refused:fs:deny');
      expect(events.find((e) => e.kind === 'write.refused' && e.where === join(userHome, 'outside-file'))).toBeDefined();
      expect(events.find((e) => e.kind === 'canary.fired' && e.guard === 'fs' && e.where === join(userHome, '.npm', 'stolen'))).toBeDefined();
      const exec = events.filter((e) => e.kind === 'canary.fired' && e.guard === 'shell');
      expect(exec.map((e) => e.canaryId)).toContain(token.id);
      expect(JSON.stringify(events)).not.toContain(token.value);
    });
  });
}

describe('without namespaces', () => {
  it('refuses to start with one line when bubblewrap cannot be found, and --no-sandbox runs with a warning and guard.degraded', async () => {
    const base = mkdtempSync(join(tmpdir(), 'grith-sbx-none-'));
    dirs.push(base);
    const home = join(base, 'grith');
    await addCanary(home, ['--format', 'github-pat', '--label', 'x']);
    const bin = join(base, 'bin');
    mkdirSync(bin);
    // GRITH_BWRAP names the bubblewrap to use: here one that does not exist.
    const env = { PATH: process.env.PATH, HOME: base, GRITH_HOME: home, GRITH_BWRAP: join(bin, 'bwrap'), NO_COLOR: '1' };
    const refused = await run(process.execPath, [BIN, 'shell', '--no-proxy', '-c', 'true'], { env, cwd: base });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/grith: .*bubblewrap.*(--no-sandbox)/);
    const degraded = await run(process.execPath, [BIN, 'shell', '--no-proxy', '--no-sandbox', '--', 'true'], { env, cwd: base });
    expect(degraded.code, degraded.stderr).toBe(0);
    expect(degraded.stderr).toContain('warning: no sandbox (--no-sandbox)');
    const log = readFileSync(join(home, 'events.jsonl'), 'utf8');
    expect(log).toContain('"kind":"guard.degraded"');
  });
});
