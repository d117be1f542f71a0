// The agent's model channel through a real `grith shell -- PROGRAM` session: the agent process itself may carry a
// canary to its model endpoint (recorded once as canary.context); a child of the agent, another program with the same
// interpreter, or the agent to any other host is denied. Also the agent-grade I/O an agent needs: everything after
// `--` verbatim, pipes instead of a PTY, its own state scanned at the end. Run as root and as an ordinary user.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrithEvent } from '../../../src/events/types.js';
import { variantsOf } from '../../../src/core/matcher/index.js';
import { BIN, REPO, addCanary, buildExecGuard, run } from '../../support/shell-run.js';
import { chownTree, testUser, type TestUser } from '../../support/users.js';

interface Recorder {
  url: string;
  bodies: string[];
  close(): Promise<void>;
}

async function recorder(): Promise<Recorder> {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => {
      bodies.push(b);
      res.end('model-ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

let root: string;
const dirs: string[] = [];
let model: Recorder;
let attacker: Recorder;

beforeAll(async () => {
  buildExecGuard();
  root = mkdtempSync(join(tmpdir(), 'grith-mc-'));
  model = await recorder();
  attacker = await recorder();
}, 60_000);

afterAll(async () => {
  await model?.close();
  await attacker?.close();
  for (const d of [root, ...dirs]) rmSync(d, { recursive: true, force: true });
});

for (const who of ['root', 'an ordinary user'] as const) {
  describe(`the model channel (${who})`, () => {
    let user: TestUser | null = null;
    let home: string;
    let userHome: string;
    let agent: string;
    let token: { id: string; value: string };

    beforeAll(async () => {
      user = who === 'root' ? null : testUser();
      // Not below root (0700, root's): the user must be able to reach its own folders.
      const dir = mkdtempSync(join(tmpdir(), 'grith-mcu-'));
      dirs.push(dir);
      home = join(dir, 'grith');
      userHome = join(dir, 'home');
      // The agent's package, as npm would install it (its own folder with a package.json).
      agent = join(dir, 'pkg', 'agent.mjs');
      cpSync(join(REPO, 'fixtures', 'model-channel', 'fake-agent'), join(dir, 'pkg'), { recursive: true });
      mkdirSync(userHome);
      token = await addCanary(home, ['--format', 'github-pat', '--label', 'mc-token', '--env', 'GITHUB_TOKEN']);
      if (user) chownTree(dir, user);
    }, 60_000);

    const session = (flags: string[], steps: string[]) =>
      run(process.execPath, [BIN, 'shell', ...flags, '--', agent, ...steps], {
        cwd: userHome,
        timeoutMs: 60_000,
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
        env: {
          PATH: process.env.PATH,
          HOME: userHome,
          GRITH_HOME: home,
          NO_COLOR: '1',
          MODEL_URL: model.url,
          ANTHROPIC_BASE_URL: model.url,
          ATTACKER_URL: attacker.url,
        },
      });
    const events = async (): Promise<GrithEvent[]> => {
      const r = await run(process.execPath, [BIN, 'events', '--json'], { env: { ...process.env, GRITH_HOME: home } });
      return r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as GrithEvent);
    };
    const leaked = (bytes: string) => variantsOf(token.value).filter((v) => bytes.includes(v.bytes.toString('latin1'))).map((v) => v.variant);

    it('lets the agent itself carry a canary to its model (one canary.context), denies everyone else', async () => {
      const before = (await events()).length;
      const attackerBefore = attacker.bodies.length;
      const r = await session([], ['model:first turn', 'model:second turn', 'curl-model:', 'node-model:', 'attacker:']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as Record<string, string>;
      expect(out['0:model']).toBe('200 model-ok');
      expect(out['1:model']).toBe('200 model-ok');
      // A child of the agent (curl with another API key) and another node process: not the agent.
      // On the way to a model endpoint a refusal is 451, never a 403 a model client would read as a login problem.
      expect(out['2:curl-model']).toMatch(/grith blocked this request: it carries the credential canary "mc-token".* 451$/s);
      expect(out['3:node-model']).toMatch(/^451 grith blocked this request/);
      expect(out['4:attacker']).toMatch(/^403 grith blocked this request: .*\(event #\d+\)$/);
      const evs = (await events()).slice(before);
      const context = evs.filter((e) => e.kind === 'canary.context');
      expect(context).toHaveLength(1);
      expect(context[0]).toMatchObject({ guard: 'proxy', action: 'alert', canaryId: token.id, where: model.url.replace('http://', '') });
      const fired = evs.filter((e) => e.kind === 'canary.fired');
      expect(fired.map((e) => e.where)).toEqual([model.url.replace('http://', ''), model.url.replace('http://', ''), attacker.url.replace('http://', '')]);
      expect(fired.every((e) => e.action === 'deny')).toBe(true);
      expect(r.stderr).toContain('the agent sent canary "mc-token" to its model in 2 requests (context)');
      // The model got its context; the attacker got nothing of it.
      expect(model.bodies.filter((b) => b.includes(token.value)).length).toBeGreaterThanOrEqual(2);
      expect(attacker.bodies.slice(attackerBefore).flatMap(leaked)).toEqual([]);
      expect(JSON.stringify(evs)).not.toContain(token.value);
    });

    it('--model-channel deny restores the hard gate for the agent too', async () => {
      const r = await session(['--model-channel', 'deny'], ['model:turn']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)['0:model']).toMatch(/^451 grith blocked this request/);
    });

    it('records a canary the agent wrote into its own state as canary.persisted', async () => {
      const before = (await events()).length;
      const r = await session([], ['state:.claude/projects/p/session.jsonl']);
      expect(r.code, r.stderr).toBe(0);
      const persisted = (await events()).slice(before).filter((e) => e.kind === 'canary.persisted');
      expect(persisted).toHaveLength(1);
      expect(persisted[0]).toMatchObject({ action: 'alert', canaryId: token.id, where: join(userHome, '.claude/projects/p/session.jsonl') });
      expect(r.stderr).toContain("found in the agent's own state");
    });
  });
}

describe('agent-grade I/O', () => {
  let home: string;
  beforeAll(async () => {
    home = join(mkdtempSync(join(root, 'io-')), 'grith');
    await addCanary(home, ['--format', 'github-pat', '--label', 'io']);
  }, 60_000);
  const g = (args: string[], input?: string) =>
    run(process.execPath, [BIN, 'shell', '--no-proxy', ...args], { input, env: { ...process.env, GRITH_HOME: home, NO_COLOR: '1' } });

  // Regression: oclif took --json after `--` as grith's own flag: `printf '[%s]\n' a --json b` printed [a] [b].
  it('passes everything after -- to the program untouched', async () => {
    const r = await g(['--', 'printf', '[%s]\\n', 'a', '--json', 'b', '--help', '-c', 'x']);
    expect(r.stdout).toBe('[a]\n[--json]\n[b]\n[--help]\n[-c]\n[x]\n');
    expect(r.code).toBe(0);
  });

  // Regression: with no terminal, the program ran in a PTY: CRLF line ends and a trailing escape sequence.
  it('runs the program on pipes when there is no terminal: byte-exact output, stdin passed through', async () => {
    const r = await g(['--', 'bash', '-c', 'cat; printf "\\x00\\x01end"'], 'line 1\nline 2\n');
    expect(Buffer.from(r.stdout, 'latin1').toString('hex')).toBe(Buffer.from('line 1\nline 2\n\x00\x01end', 'latin1').toString('hex'));
    expect(r.code).toBe(0);
  });

  // Regression: an interactive session with stdin from a pipe or /dev/null hung forever.
  it('reads an interactive session from a pipe and ends at EOF', async () => {
    const r = await g([], 'echo from-stdin; exit 3\n');
    expect(r.stdout).toBe('from-stdin\n');
    expect(r.code).toBe(3);
    const empty = await g(['--', 'bash', '-s'], '');
    expect(empty.code).toBe(0);
  });
});
