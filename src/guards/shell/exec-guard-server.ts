// The session side of the exec guard: a Unix-socket server that answers allow/deny for every exec in the session.
import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { failClosed, terminates, type Decision, type Refusal } from '../../core/decision.js';
import type { EventInput } from '../../events/types.js';
import { decisionEvents } from '../decision-events.js';
import type { GuardContext } from '../guard-context.js';
import { judgeExec, programName, type ExecJudgement } from './exec-policy.js';
import { encodeAnswer, parseFrame, type ExecRequest } from './exec-protocol.js';

export interface ExecFireInfo {
  request: ExecRequest;
  decision: Refusal;
}

export interface ExecGuardOptions {
  ctx: GuardContext;
  socketPath: string;
  /** Called for every denied exec, right after the answer went out (the session shows its banner here). */
  onDeny?: (info: ExecFireInfo) => void;
  /** Called when a canary with `terminate` fired, after its event was written: end the session. */
  onTerminate?: (info: ExecFireInfo) => void;
}

/** Events for one denial: one canary.fired per canary found, or a guard.error when failing closed. */
export function denialEvents(req: ExecRequest, j: ExecJudgement): EventInput[] {
  const d = j.decision;
  const detail = { ppid: req.ppid, exec: req.kind, program: programName(req) };
  const failed = d.verdict === 'deny' ? d.failClosed : undefined;
  return decisionEvents('shell', d, {
    where: j.maskedArgv,
    pid: req.pid,
    detail,
    ...(failed !== undefined ? { message: `exec denied, guard cannot check it: ${failed}` } : { cmdline: j.maskedArgv }),
  });
}

export class ExecGuardServer {
  private readonly sockets = new Set<Socket>();
  private terminated = false;

  private constructor(
    private readonly server: Server,
    private readonly opts: ExecGuardOptions,
  ) {}

  get socketPath(): string {
    return this.opts.socketPath;
  }

  static listen(opts: ExecGuardOptions): Promise<ExecGuardServer> {
    return new Promise((resolve, reject) => {
      let guard: ExecGuardServer;
      const server = createServer((sock) => guard.handle(sock));
      guard = new ExecGuardServer(server, opts);
      server.once('error', reject);
      server.listen(opts.socketPath, () => {
        server.off('error', reject);
        // Only the user may ask: the folder is 0700 already; the socket itself too.
        try {
          chmodSync(opts.socketPath, 0o600);
        } catch {
          /* the folder's mode still protects it */
        }
        resolve(guard);
      });
    });
  }

  /** Decide one request in-process (the `-c CMD` pre-check uses the same path as the library). */
  async check(req: ExecRequest): Promise<Decision> {
    const j = this.judge(req);
    if (j.decision.verdict === 'deny') await this.afterDeny(req, j);
    return j.decision;
  }

  private judge(req: ExecRequest): ExecJudgement {
    if (this.terminated) {
      // No new finding: the session is already going down.
      return { decision: { verdict: 'deny', fires: [], reason: `blocked exec of ${programName(req)}: the grith session is ending (a canary fired)` }, maskedArgv: '' };
    }
    try {
      return judgeExec(this.opts.ctx.snapshot(), req);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return { decision: failClosed(`blocked exec of ${programName(req)}: grith could not scan it`, why), maskedArgv: `${programName(req)} …` };
    }
  }

  private async afterDeny(req: ExecRequest, j: ExecJudgement): Promise<void> {
    const d = j.decision;
    if (d.verdict !== 'deny' || (d.fires.length === 0 && d.failClosed === undefined)) return;
    const terminate = terminates(d);
    if (terminate) this.terminated = true;
    const info = { request: req, decision: d };
    try {
      this.opts.onDeny?.(info);
    } catch {
      /* a banner failure must not change the decision */
    }
    for (const e of denialEvents(req, j)) this.opts.ctx.record(e);
    if (terminate) {
      // The event must be on disk before the session dies.
      await this.opts.ctx.flush().catch(() => undefined);
      this.opts.onTerminate?.(info);
    }
  }

  private handle(sock: Socket): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    // Chunks are joined only once the announced length has arrived (an argv can be megabytes).
    const chunks: Buffer[] = [];
    let have = 0;
    let need = 4;
    let done = false;
    sock.on('data', (chunk: Buffer) => {
      if (done) return;
      chunks.push(chunk);
      have += chunk.length;
      if (have < need) return;
      const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, have);
      chunks.length = 0;
      chunks.push(buf);
      need = 4 + buf.readUInt32LE(0);
      const r = parseFrame(buf);
      if (r.state === 'incomplete') return;
      done = true;
      if (r.state === 'bad') {
        sock.end(encodeAnswer(false, `blocked exec: malformed guard request (${r.reason})`));
        return;
      }
      const j = this.judge(r.request);
      const d = j.decision;
      sock.end(d.verdict === 'deny' ? encodeAnswer(false, d.reason) : encodeAnswer(true));
      if (d.verdict === 'deny') void this.afterDeny(r.request, j);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
