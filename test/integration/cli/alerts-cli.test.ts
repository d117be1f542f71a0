// grith alerts: configuring webhooks from the command line, and a scan finding reaching a real local receiver.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN, grith, tempHome } from '../../support/cli.js';

describe('grith alerts', () => {
  it('adds, lists (query redacted) and removes webhooks; a scan finding is delivered, signed, without the value', async () => {
    const bodies: { sig?: string; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        bodies.push({ sig: req.headers['x-grith-signature-256'] as string | undefined, body });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/in?key=receiver-token`;
    try {
      const home = await tempHome();
      const add = await grith(['alerts', 'add-webhook', url, '--secret-env', 'HOOK_SECRET', '--json'], {
        home,
        env: { HOOK_SECRET: 'sekrit' },
      });
      expect(add.code, add.stderr).toBe(0);
      expect(JSON.parse(add.stdout)).toMatchObject({ index: 1, type: 'webhook', target: url.replace(/\?.*/, ''), signed: true, minSeverity: 'high' });
      const list = await grith(['alerts', 'list'], { home });
      expect(list.stdout).toMatch(/^1\. webhook-[0-9a-f]+  webhook  http:\/\/127\.0\.0\.1:\d+\/in  \(signed, ≥ high\)$/m);
      expect(list.stdout).not.toContain('receiver-token');

      const c = JSON.parse((await grith(['canary', 'add', '--format', 'anthropic', '--json'], { home })).stdout);
      const { value } = JSON.parse((await grith(['canary', 'show', c.id, '--reveal', '--json'], { home })).stdout);
      expect((await grith(['scan', '-'], { home, input: `key=${value}` })).code).toBe(1);
      expect(bodies).toHaveLength(1);
      expect(bodies[0].sig).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(JSON.parse(bodies[0].body).event).toMatchObject({ kind: 'canary.fired', canaryId: c.id, guard: 'scan' });
      expect(bodies[0].body).not.toContain(value);

      const bad = await grith(['alerts', 'add-webhook', 'ftp://x'], { home });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/http or https/);
      const rm = await grith(['alerts', 'remove-webhook', '1', '--json'], { home });
      expect(rm.code).toBe(0);
      expect(JSON.parse(rm.stdout)).toEqual([]);
      expect((await grith(['alerts', 'remove', '1'], { home })).stderr).toMatch(/no alert sink "1"/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('webhooks stored by an older grith (settings.webhooks) keep working, from the first new event on', async () => {
    const bodies: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        bodies.push(body);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/old`;
    try {
      const home = await tempHome();
      const c = JSON.parse((await grith(['canary', 'add', '--format', 'generic', '--json'], { home })).stdout);
      const { value } = JSON.parse((await grith(['canary', 'show', c.id, '--reveal', '--json'], { home })).stdout);
      expect((await grith(['scan', '-'], { home, input: value })).code).toBe(1); // history: before the webhook existed
      const store = JSON.parse(await readFile(path.join(home, 'store.json'), 'utf8'));
      store.settings.webhooks = [{ url }];
      await writeFile(path.join(home, 'store.json'), JSON.stringify(store, null, 2));
      const list = JSON.parse((await grith(['alerts', 'list', '--json'], { home })).stdout);
      expect(list).toEqual([expect.objectContaining({ type: 'webhook', target: url, legacy: true })]);
      expect((await grith(['scan', '-'], { home, input: value })).code).toBe(1);
      expect(bodies.map((b) => JSON.parse(b).event.seq)).toEqual([3]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('grith events --json', () => {
  it('is JSON lines that jq filters as documented', async () => {
    const home = await tempHome();
    const c = JSON.parse((await grith(['canary', 'add', '--format', 'npm', '--label', 'jq', '--json'], { home })).stdout);
    const { value } = JSON.parse((await grith(['canary', 'show', c.id, '--reveal', '--json'], { home })).stdout);
    await grith(['scan', '-'], { home, input: value });
    const out = execFileSync('bash', ['-c', `node ${BIN} events --json | jq -c 'select(.kind=="canary.fired") | {seq, canaryId}'`], {
      env: { ...process.env, GRITH_HOME: home },
    }).toString();
    expect(out).toBe(`{"seq":2,"canaryId":"${c.id}"}\n`);
    expect((await grith(['events', '--help'], { home })).stdout).toMatch(/JSON lines: one event object per line/);
  });
});
