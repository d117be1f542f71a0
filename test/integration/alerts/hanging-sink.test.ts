// A sink that accepts connections and never answers (HTTP: no response ever; syslog has no answer to wait for, a
// receiver's TCP stack taking the bytes is all it acknowledges): guards decide at their own speed, a CLI command that records
// events waits at most ~2 s and says "alert delivery pending", and nothing is lost (it stays in the spool).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, grith, tempHome } from '../../support/cli.js';
import { hangingServer, stopBackgroundDeliverer } from '../../support/receivers.js';

const run = promisify(execFile);
let home: string;
let hang: Awaited<ReturnType<typeof hangingServer>>;
let proxy: ChildProcess | null = null;
let token = '';

beforeAll(async () => {
  home = await tempHome('grith-hang-');
  hang = await hangingServer();
  const c = JSON.parse((await grith(['canary', 'add', '--format', 'github-pat', '--label', 'hang', '--json'], { home })).stdout);
  token = JSON.parse((await grith(['canary', 'show', c.id, '--reveal', '--json'], { home })).stdout).value;
  for (const args of [
    ['add-webhook', `http://127.0.0.1:${hang.port}/hook`],
    ['add-otlp', `http://127.0.0.1:${hang.port}`],
  ]) {
    expect((await grith(['alerts', ...args], { home })).code).toBe(0);
  }
});
afterAll(async () => {
  proxy?.kill('SIGKILL');
  await stopBackgroundDeliverer(home);
  await hang.close();
});

describe('a hanging alert sink', () => {
  it('grith scan finishes in about 2 s, says delivery is pending, and keeps the alert queued', async () => {
    await writeFile(path.join(path.dirname(home), 'leak.txt'), `t=${token}\n`);
    const t0 = Date.now();
    const r = await grith(['scan', path.join(path.dirname(home), 'leak.txt'), '--json'], { home });
    const took = Date.now() - t0;
    expect(r.code).toBe(1);
    expect(took).toBeLessThan(6000); // ~2 s of waiting plus a Node start, on a loaded machine
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(r.stderr).toMatch(/^grith: alert delivery pending: 1 event\(s\) for webhook-[0-9a-f]+.*retrying in the background/m);
    const out = JSON.parse(r.stdout);
    expect(out.alertDelivery.pending).toBe(true);
    expect(out.alertDelivery.sinks.map((s: { type: string }) => s.type).sort()).toEqual(['otlp', 'webhook']);
    expect(hang.connections()).toBeGreaterThanOrEqual(2);
    const st = JSON.parse((await grith(['alerts', 'status', '--json'], { home })).stdout);
    for (const s of st.sinks) expect(s.lag).toBeGreaterThanOrEqual(1);
  });

  it("the proxy's decisions never wait on it: every canary request is refused at once", async () => {
    await stopBackgroundDeliverer(home); // the proxy itself is then the one delivering (and hanging)
    const before = hang.connections();
    proxy = spawn(process.execPath, [BIN, 'proxy', '--json'], { env: { ...process.env, GRITH_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    const info = await new Promise<{ url: string }>((resolve, reject) => {
      let out = '';
      proxy!.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('}\n')) resolve(JSON.parse(out));
      });
      proxy!.on('close', () => reject(new Error('proxy ended')));
    });
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t0 = Date.now();
      const r = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '10', '--proxy', info.url, '-d', `k=${token}`, 'http://127.0.0.1:9/upload'], {
        env: { ...process.env, NO_PROXY: '', no_proxy: '' },
      });
      times.push(Date.now() - t0);
      expect(r.stdout).toBe('403');
    }
    // Each refusal is recorded and kicks delivery to two sinks that never answer; none of it is on the path.
    expect(Math.max(...times), `refusal times ${times.join(', ')} ms`).toBeLessThan(1500);
    expect(hang.connections()).toBeGreaterThan(before);
    const events = (await grith(['events', '--json'], { home })).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e: { kind: string; guard: string }) => e.kind === 'canary.fired' && e.guard === 'proxy')).toHaveLength(6);
    // And it still shuts down promptly: at most a few seconds of waiting for delivery on the way out.
    const t0 = Date.now();
    const closed = new Promise((r) => proxy!.once('close', r));
    proxy.kill('SIGTERM');
    await closed;
    proxy = null;
    expect(Date.now() - t0).toBeLessThan(9000);
    // It left the undelivered alerts to a background deliverer.
    await stopBackgroundDeliverer(home, 5000);
  });
});
