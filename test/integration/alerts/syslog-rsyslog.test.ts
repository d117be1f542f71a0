// A real rsyslog (TCP, then TLS) as an alert sink: every event of a session arrives in order; events recorded while
// it is down arrive once it is back, nothing twice; the file it wrote witnesses the log (--verify --against).
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grith, tempHome } from '../../support/cli.js';
import { expectNoSecrets, stopBackgroundDeliverer, until } from '../../support/receivers.js';
import { Rsyslog } from '../../support/rsyslog.js';

const ENV = { GRITH_ALERT_RETRY_MAX_MS: '1500', GRITH_SHELL_HOST: '0' };
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function canary(home: string, format: string, label: string): Promise<{ id: string; secrets: string[] }> {
  const add = await grith(['canary', 'add', '--format', format, '--label', label, '--json'], { home, env: ENV });
  expect(add.code, add.stderr).toBe(0);
  const { id } = JSON.parse(add.stdout);
  const c = JSON.parse((await grith(['canary', 'show', id, '--reveal', '--json'], { home })).stdout);
  return { id, secrets: [c.value, ...(Object.values(c.companions ?? {}) as string[])] };
}

/** seq of each grith message rsyslog wrote, in file order. */
function seqsIn(text: string): number[] {
  return [...text.matchAll(/\[grith@32473 seq="(\d+)"/g)].map((m) => Number(m[1]));
}

async function logHashes(home: string): Promise<Map<number, string>> {
  const lines = (await readFile(path.join(home, 'events.jsonl'), 'utf8')).trimEnd().split('\n');
  return new Map(lines.map((l) => JSON.parse(l)).map((e: { seq: number; hash: string }) => [e.seq, e.hash]));
}

describe('syslog sink against a real rsyslog', () => {
  it('receives every event of a session in order; an outage loses nothing and repeats nothing', async () => {
    const home = await tempHome();
    const base = path.dirname(home);
    const rs = await Rsyslog.create(path.join(base, 'rsyslog'));
    cleanups.push(() => rs.stop(), () => stopBackgroundDeliverer(home));
    await rs.start();

    const add = await grith(['alerts', 'add-syslog', `syslog://127.0.0.1:${rs.port}`, '--json'], { home, env: ENV });
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ type: 'syslog', target: `syslog://127.0.0.1:${rs.port}`, minSeverity: 'info' });

    // The session: canaries planted, one refused command, a scan that finds two, a rotation.
    const secrets: string[] = [];
    const cs = [];
    for (const [f, l] of [['github-pat', 'ci token'], ['aws', 'prod key'], ['stripe-live', 'billing'], ['anthropic', 'llm'], ['npm', 'publish']] as const) {
      const c = await canary(home, f, l);
      cs.push(c);
      secrets.push(...c.secrets);
    }
    const work = path.join(base, 'work');
    await mkdir(work, { recursive: true });
    const refused = await grith(['shell', '--no-proxy', '-c', `echo ${cs[0]!.secrets[0]}`], { home, env: ENV, cwd: work });
    expect(refused.code).toBe(126);
    await writeFile(path.join(work, 'two.txt'), `a=${cs[1]!.secrets[0]}\nb=${Buffer.from(cs[2]!.secrets[0]!).toString('base64')}\n`);
    expect((await grith(['scan', path.join(work, 'two.txt')], { home, env: ENV })).code).toBe(1);
    expect((await grith(['canary', 'rotate', cs[3]!.id], { home, env: ENV })).code).toBe(0);
    secrets.push((JSON.parse((await grith(['canary', 'show', cs[3]!.id, '--reveal', '--json'], { home })).stdout) as { value: string }).value);

    let hashes = await logHashes(home);
    const head1 = Math.max(...hashes.keys());
    await until(async () => seqsIn(await rs.received()).length >= head1, 15_000, 'rsyslog to get the session');
    const first = seqsIn(await rs.received());
    expect(first).toEqual(Array.from({ length: head1 }, (_, i) => i + 1));

    // Outage: rsyslog stops; three canaries fire (three scans); each scan ends in ~2 s saying delivery is pending.
    await rs.stop();
    for (const c of [cs[0]!, cs[2]!, cs[4]!]) {
      await writeFile(path.join(work, `leak-${c.id}.txt`), `token=${c.secrets[0]}\n`);
      const t0 = Date.now();
      const r = await grith(['scan', path.join(work, `leak-${c.id}.txt`), '--json'], { home, env: ENV });
      expect(r.code).toBe(1);
      expect(Date.now() - t0).toBeLessThan(8000);
      expect(r.stderr).toMatch(/alert delivery pending: \d+ event\(s\) for syslog-/);
      expect(JSON.parse(r.stdout).alertDelivery).toMatchObject({ pending: true });
    }
    const status = JSON.parse((await grith(['alerts', 'status', '--json'], { home })).stdout);
    expect(status.sinks[0]).toMatchObject({ lag: 3 });
    expect(status.sinks[0].lastError).toMatch(/ECONNREFUSED/);

    // Back up: the background deliverer sends the three, in order, once.
    await rs.start();
    hashes = await logHashes(home);
    const head2 = Math.max(...hashes.keys());
    await until(async () => seqsIn(await rs.received()).length >= head2, 20_000, 'the three alerts after the outage');
    await new Promise((r) => setTimeout(r, 1500)); // anything repeated would land now
    const text = await rs.received();
    const all = seqsIn(text);
    expect(all).toEqual(Array.from({ length: head2 }, (_, i) => i + 1));
    const firedAfter = text.split('\n').filter((l) => /seq="(\d+)"/.exec(l) && Number(/seq="(\d+)"/.exec(l)![1]) > head1);
    expect(firedAfter).toHaveLength(3);
    for (const l of firedAfter) expect(l).toMatch(/^<34>1 \S+ \S+ grith \d+ canary\.fired \[grith@32473 seq="\d+" hash="[0-9a-f]{64}"/);
    for (const [seq, hash] of hashes) expect(text).toContain(`seq="${seq}" hash="${hash}"`);
    expect(JSON.parse((await grith(['alerts', 'status', '--json'], { home })).stdout).sinks[0]).toMatchObject({ lag: 0, cursor: head2, lastError: null });
    expectNoSecrets(text, secrets, 'rsyslog');

    // The file rsyslog wrote witnesses the log: intact now; a cut tail shows against it and against the checkpoint.
    const ok = await grith(['events', '--verify', '--against', rs.out], { home });
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`${head2} event\\(s\\) seen by the sink match the log`));
    const lines = (await readFile(path.join(home, 'events.jsonl'), 'utf8')).trimEnd().split('\n');
    await writeFile(path.join(home, 'events.jsonl'), lines.slice(0, -3).join('\n') + '\n');
    const cut = await grith(['events', '--verify', '--against', rs.out, '--json'], { home });
    expect(cut.code).toBe(1);
    const report = JSON.parse(cut.stdout);
    expect(report.reason).toMatch(/3 event\(s\) cut from the end/);
    expect(report.against).toMatchObject({ ok: false, missingFromLog: [head2 - 2, head2 - 1, head2] });
  }, 120_000);

  it('delivers over TLS (RFC 5425 framing) to rsyslog with the ossl driver, verifying its certificate', async () => {
    const home = await tempHome();
    const base = path.dirname(home);
    const tlsDir = path.join(base, 'tls');
    await mkdir(tlsDir, { recursive: true });
    const cert = path.join(tlsDir, 'cert.pem');
    const key = path.join(tlsDir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const rs = await Rsyslog.create(path.join(base, 'rsyslog'), { tls: { cert, key } });
    cleanups.push(() => rs.stop(), () => stopBackgroundDeliverer(home));
    await rs.start();

    const { secrets } = await canary(home, 'github-pat', 'tls test');
    const add = await grith(['alerts', 'add-syslog', `syslog+tls://127.0.0.1:${rs.port}`, '--ca', cert, '--json'], { home, env: ENV });
    expect(add.code, add.stderr).toBe(0);
    const t = await grith(['alerts', 'test', '--json'], { home, env: ENV });
    expect(t.code, t.stdout + t.stderr).toBe(0);
    const result = JSON.parse(t.stdout);
    expect(result.sinks[0]).toMatchObject({ type: 'syslog', delivered: true });
    await writeFile(path.join(base, 'leak.txt'), secrets[0]!);
    expect((await grith(['scan', path.join(base, 'leak.txt')], { home, env: ENV })).code).toBe(1);
    await until(async () => seqsIn(await rs.received()).length >= 2, 10_000, 'TLS deliveries');
    const text = await rs.received();
    expect(text).toMatch(new RegExp(`\\[grith@32473 seq="${result.seq}" hash="${result.hash}" [^\\]]*kind="alert\\.test"`));
    expect(text).toMatch(/canary\.fired \[grith@32473/);
    expectNoSecrets(text, secrets, 'rsyslog over TLS');

    // Without the CA the certificate is not trusted: nothing is sent, the error says why, the event stays queued.
    const other = await tempHome();
    cleanups.push(() => stopBackgroundDeliverer(other));
    await grith(['alerts', 'add-syslog', `syslog+tls://127.0.0.1:${rs.port}`], { home: other, env: ENV });
    const untrusted = await grith(['alerts', 'test', '--timeout', '3', '--json'], { home: other, env: ENV });
    expect(untrusted.code).toBe(1);
    expect(JSON.parse(untrusted.stdout).sinks[0]).toMatchObject({ delivered: false, lag: 1, error: expect.stringMatching(/certificate/i) });
    await stopBackgroundDeliverer(other, 5000); // `alerts test` handed the queued event to one
  }, 60_000);

  it('a bad syslog URL is one clear line and exit 2', async () => {
    const home = await tempHome();
    for (const [url, msg] of [
      ['udp://127.0.0.1:514', /syslog URL must be syslog:\/\/HOST\[:PORT\] \(TCP\) or syslog\+tls:\/\/HOST\[:PORT\] \(TLS\), not udp:\/\//],
      ['syslog://', /invalid syslog URL|has no host/],
      ['syslog://host:514/path', /takes no path/],
    ] as const) {
      const r = await grith(['alerts', 'add-syslog', url], { home });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
    const j = await grith(['alerts', 'add-otlp', 'ftp://x', '--json'], { home });
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/http or https/) });
  });
});
