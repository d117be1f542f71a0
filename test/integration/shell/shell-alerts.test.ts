// Alerts from `grith shell -c` reach the configured webhooks whichever path runs the command, and every fire is
// counted on its canary.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCanary, buildExecGuard, grithRun } from '../../support/shell-run.js';

let root: string;
let home: string;
let token: { id: string; value: string };
let server: http.Server;
const got: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  buildExecGuard();
  root = mkdtempSync(join(tmpdir(), 'grith-sha-'));
  home = join(root, 'home');
  token = await addCanary(home, ['--format', 'github-pat', '--label', 'hooked', '--env', 'GITHUB_TOKEN']);
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const add = await grithRun(['alerts', 'add-webhook', `http://127.0.0.1:${port}/hook`, '--secret-env', 'HOOK_SECRET'], {
    home,
    env: { HOOK_SECRET: 'shh' },
  });
  expect(add.code, add.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  rmSync(root, { recursive: true, force: true });
});

describe('grith shell -c alerts', () => {
  // Regression: the lean in-process context of `-c` never wired the alert sinks, so the first command of an agent
  // (before a shell host answers) recorded canary.fired but no webhook ever heard of it.
  it('delivers a -c fire to the webhook, signed, with no shell host running', async () => {
    const r = await grithRun(['shell', '--no-proxy', '-c', 'echo "$GITHUB_TOKEN" >/dev/null; /bin/echo "$GITHUB_TOKEN"'], {
      home,
      cwd: root,
      env: { GRITH_SHELL_HOST: '0' },
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('canary "hooked"');
    const fired = got.map((g) => ({ ...g, event: JSON.parse(g.body).event })).filter((g) => g.event?.kind === 'canary.fired');
    expect(fired).toHaveLength(1);
    const { headers, body, event } = fired[0]!;
    expect(event).toMatchObject({ guard: 'shell', action: 'deny', canaryId: token.id, label: 'hooked' });
    expect(headers['x-grith-signature-256']).toBe(`sha256=${createHmac('sha256', 'shh').update(body).digest('hex')}`);
    expect(body).not.toContain(token.value);
  });

  // Regression: only `grith scan` counted fires; a canary stopped by the shell or the proxy kept `fires: 0`.
  it('counts the fire on the canary (fires, lastFiredAt)', async () => {
    const show = await grithRun(['canary', 'show', token.id, '--json'], { home });
    const c = JSON.parse(show.stdout) as { fires: number; lastFiredAt: string | null };
    expect(c.fires).toBe(1);
    expect(Date.parse(c.lastFiredAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });
});
