// The exec guard server's approvals channel, seen from the supervisor's end of the socket: exactly the clean requests,
// each before its answer; GXF on a store change and on a terminate; one supervisor only.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecApprovals, MAX_APPROVAL } from '../../../src/guards/shell/exec-approvals.js';
import { ExecGuardServer } from '../../../src/guards/shell/exec-guard-server.js';
import { encodeFrame, type ExecRequest } from '../../../src/guards/shell/exec-protocol.js';
import { makeCanary } from '../../support/canaries.js';
import { TestGuardContext } from '../../support/guard-context.js';
import { fakeGithubToken } from '../../support/shell-run.js';

const TOKEN = fakeGithubToken();
const FLUSH = Buffer.from([4, 0, 0, 0, 0x47, 0x58, 0x46, 0]);
let dir: string;
let ctx: TestGuardContext;
let approvals: ExecApprovals;
let server: ExecGuardServer;
let supervisor: Socket;
let received: Buffer;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'grith-ap-'));
  ctx = new TestGuardContext([makeCanary({ id: 'c1', value: TOKEN })]);
  approvals = await ExecApprovals.listen(join(dir, 'approvals.sock'));
  server = await ExecGuardServer.listen({ ctx, socketPath: join(dir, 'exec.sock'), approvals });
  received = Buffer.alloc(0);
  supervisor = connect(approvals.socketPath);
  supervisor.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  await approvals.whenConnected();
});

afterEach(async () => {
  supervisor.destroy();
  await server.close();
  await approvals.close();
  rmSync(dir, { recursive: true, force: true });
});

const req = (argv: string[]): ExecRequest => ({ kind: 'execve', pid: 7, ppid: 1, path: `/usr/bin/${argv[0]}`, argv });

/** Ask as the library does; resolves with the answer and what the supervisor had received by the time it came. */
function ask(r: ExecRequest): Promise<{ answer: string; before: Buffer }> {
  return new Promise((resolve, reject) => {
    const s = connect(join(dir, 'exec.sock'));
    s.on('data', (d) => {
      // Let the supervisor's socket deliver what was written before the answer (both are local sockets).
      setImmediate(() => resolve({ answer: d.toString(), before: received }));
    });
    s.on('error', reject);
    s.write(encodeFrame(r));
  });
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('exec approvals channel', () => {
  it('pushes each clean request, byte for byte, before it answers; never a refused one', async () => {
    const clean = req(['ls', '-la']);
    const { answer, before } = await ask(clean);
    expect(answer).toBe('A\n');
    expect(before.equals(encodeFrame(clean))).toBe(true);
    const refused = await ask(req(['curl', TOKEN]));
    expect(refused.answer).toMatch(/^D/);
    await settle();
    expect(received.equals(encodeFrame(clean))).toBe(true);
  });

  it('does not push a request larger than the supervisor takes', async () => {
    const big = req(['true', 'x'.repeat(MAX_APPROVAL)]);
    expect((await ask(big)).answer).toBe('A\n');
    await settle();
    expect(received.length).toBe(0);
  });

  it('tells the supervisor to forget everything when the store changes, and when a terminate canary fires', async () => {
    await ask(req(['ls']));
    ctx.set([makeCanary({ id: 'c1', value: TOKEN }), makeCanary({ id: 'c2' })]);
    await settle();
    expect(received.subarray(-FLUSH.length).equals(FLUSH)).toBe(true);

    ctx.set([makeCanary({ id: 'c1', value: TOKEN, terminate: true })]);
    await settle();
    received = Buffer.alloc(0);
    expect((await ask(req(['curl', TOKEN]))).answer).toMatch(/^D/);
    await settle();
    expect(received.equals(FLUSH)).toBe(true);
    // Ending: nothing is approved (nor pushed) any more.
    expect((await ask(req(['ls']))).answer).toMatch(/^D/);
    await settle();
    expect(received.equals(FLUSH)).toBe(true);
  });

  it('drops the channel when a flush cannot be delivered at once (a supervisor that does not read)', async () => {
    supervisor.pause();
    for (let i = 0; i < 40; i++) await ask(req(['true', 'x'.repeat(200_000)])); // 8 MB: far more than a socket buffers
    const closed = new Promise((r) => supervisor.once('close', r));
    ctx.set([makeCanary({ id: 'c1', value: TOKEN }), makeCanary({ id: 'c2' })]);
    expect(approvals.isConnected).toBe(false);
    supervisor.resume();
    await closed;
  });

  it('takes one supervisor: the socket path is gone, a second one cannot connect', async () => {
    expect(existsSync(approvals.socketPath)).toBe(false);
    const second = await new Promise<string>((resolve) => connect(approvals.socketPath).on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? '')).on('connect', () => resolve('connected')));
    expect(second).toBe('ENOENT');
    await ask(req(['ls']));
    await settle();
    expect(received.length).toBeGreaterThan(0);
    expect(approvals.isConnected).toBe(true);
  });
});
