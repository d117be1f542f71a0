// grith alerts: configuring webhooks from the command line, and a scan finding reaching a real local receiver.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { grith, tempHome } from '../../support/cli.js';

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
      expect(JSON.parse(add.stdout)).toEqual([{ index: 1, url: url.replace(/\?.*/, ''), signed: true }]);
      const list = await grith(['alerts', 'list'], { home });
      expect(list.stdout).toContain('/in (signed)');
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
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
