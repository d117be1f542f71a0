// `grith demo` end to end through the compiled CLI: every route stopped by the expected guard, the attacker got
// nothing carrying a canary, no token in the output, the user's grith home untouched; an interrupted demo leaves no
// mount, no temporary folder and no process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FORMATS } from '../../../src/core/formats/index.js';
import type { DemoResult } from '../../../src/demo/run-demo.js';
import { BIN, REPO } from '../../support/cli.js';

const EXPECTED: Record<string, string | null> = {
  control: null,
  'curl-argv': 'shell',
  'curl-body': 'proxy',
  'base64-query': 'proxy',
  'git-push': 'proxy',
  python: 'proxy',
  'node-fetch': 'proxy',
  'copy-out': 'fs',
  'env-i': 'shell',
  'env-i-python': 'proxy',
  'dns-labels': 'proxy',
  'gzip-body': 'proxy',
  expansion: 'shell',
  'hex-stdin': 'proxy',
  'env-stdin': 'proxy',
};

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A private TMPDIR (short: the session's socket path must fit in sun_path), so leftovers are easy to see. */
async function privateTmp(): Promise<string> {
  const d = await mkdtemp('/tmp/gdt-');
  dirs.push(d);
  return d;
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function demo(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, [BIN, 'demo', ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, done };
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/mounts', 'utf8');
  return text.split('\n').filter((l) => l.split(' ')[1]?.startsWith(dir));
}

/** Processes whose command line names a path under dir (the mount child, sessions, agent commands). */
async function processesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(dir)) out.push(`${pid}: ${cmd.replace(/\0/g, ' ')}`);
  }
  return out;
}

describe('grith demo', () => {
  it('stops every route with the expected guard; the attacker receives nothing carrying a canary', { timeout: 240_000 }, async () => {
    const tmp = await privateTmp();
    const userHome = path.join(tmp, 'users-grith-home');
    const r = demo(['--json'], { TMPDIR: tmp, GRITH_HOME: userHome });
    const { code } = await r.done;
    expect(code, r.stderr()).toBe(0);
    const result = JSON.parse(r.stdout()) as DemoResult;
    expect(result.ok).toBe(true);

    const attacks = result.rows.filter((row) => row.expected !== null);
    expect(attacks.length).toBeGreaterThanOrEqual(10);
    expect(result.routes).toEqual({ attempted: attacks.length, stopped: attacks.length });
    for (const row of result.rows) {
      expect(row.id in EXPECTED, row.id).toBe(true);
      expect(row.expected, row.id).toBe(EXPECTED[row.id]);
      if (row.expected === null) {
        // The control got through: the way out works, so the stops below are the guards' doing.
        expect(row.verdict, row.id).toBe('allowed');
        expect(row.received.requests, row.id).toBeGreaterThan(0);
      } else {
        expect(row.verdict, row.id).toBe('stopped');
        expect(row.guards, row.id).toContain(row.expected);
        expect(row.leaked, row.id).toBe(false);
      }
    }
    expect(result.rows.find((row) => row.id === 'git-push')!.alerts).toContain('fs');

    expect(result.attacker.canaryFound).toBe(false);
    expect(result.attacker.findings).toEqual([]);
    expect(result.attacker.repoObjects).toBe(0);
    expect(result.attacker.scannedBytes).toBeGreaterThan(0);
    expect(result.outsideClean).toBe(true);
    expect(result.checkerSelfTest).toBe(true);
    expect(result.eventsVerified).toBe(true);

    // No token value anywhere in what the demo printed (the public pattern of each format finds none).
    const printed = r.stdout() + r.stderr();
    for (const f of FORMATS) expect(f.pattern.test(printed), f.id).toBe(false);
    // Nothing of the user's: their grith home was never created, the temporary folder is gone.
    expect(existsSync(userHome)).toBe(false);
    expect((await readdir(tmp)).filter((n) => n !== 'users-grith-home')).toEqual([]);
    expect(await mountsUnder(tmp)).toEqual([]);
  });

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig} mid-run: no FUSE mount, no temporary folder, no process left`, { timeout: 120_000 }, async () => {
      const tmp = await privateTmp();
      const r = demo([], { TMPDIR: tmp });
      // Interrupt while the agent runs (the mount is up and a session may be in flight).
      await waitFor(() => /\[ ?3\/\d+\]/.test(r.stdout()) || r.child.exitCode !== null, 90_000);
      expect(r.child.exitCode).toBeNull();
      expect((await mountsUnder(tmp)).length).toBe(1);
      r.child.kill(sig);
      const { code } = await r.done;
      expect(code).toBe(sig === 'SIGINT' ? 130 : 143);
      expect(r.stderr()).toMatch(/interrupted/);
      expect(await mountsUnder(tmp)).toEqual([]);
      expect(await readdir(tmp)).toEqual([]);
      expect(await processesUnder(tmp)).toEqual([]);
    });
  }
});
