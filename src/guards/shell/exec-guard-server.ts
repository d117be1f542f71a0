// The session side of the exec guard: a Unix-socket server that answers allow/deny for every exec in the session.
import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { failClosed, terminates, type Decision, type Refusal } from '../../core/decision.js';
import type { EventInput } from '../../events/types.js';
import { decisionEvents } from '../decision-events.js';
import type { GuardContext } from '../guard-context.js';
import type { ExecApprovalSink } from './exec-approvals.js';
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
  /**
   * The seccomp supervisor's approvals channel (native/seccomp/README.md): every request judged clean is pushed there
   * before its answer; a store change or a terminate flushes it. Sound only while a verdict depends on nothing but
   * the path, the argv and the store.
   */
  approvals?: ExecApprovalSink;
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

/** The refusal a program prints: grith's reason, and for a canary the number of the event that records it. */
export function refusalLine(d: Decision, seq: number | null): string {
  if (d.verdict !== 'deny' || d.fires.length === 0 || seq === null) return d.verdict === 'deny' ? d.reason : '';
  return `${d.reason}, a decoy planted by grith (event #${seq})`;
}

export class ExecGuardServer {
  private readonly sockets = new Set<Socket>();
  private terminated = false;
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly server: Server,
    private readonly opts: ExecGuardOptions,
  ) {
    const approvals = opts.approvals;
    this.unsubscribe = approvals ? opts.ctx.onChange(() => approvals.flush()) : () => undefined;
  }

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
    if (j.decision.verdict !== 'deny') return j.decision;
    const seq = await this.afterDeny(req, j);
    return { ...j.decision, reason: refusalLine(j.decision, seq) };
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

  /** Record a denial's events; resolves with the first one's number once written (the refusal names it). */
  private afterDeny(req: ExecRequest, j: ExecJudgement): Promise<number | null> {
    const d = j.decision;
    if (d.verdict !== 'deny' || (d.fires.length === 0 && d.failClosed === undefined)) return Promise.resolve(null);
    const terminate = terminates(d);
    if (terminate) {
      this.terminated = true;
      this.opts.approvals?.flush();
    }
    const info = { request: req, decision: d };
    try {
      // Synchronously, before the event is written: the session must know at once that it is ending.
      this.opts.onDeny?.(info);
    } catch {
      /* a banner failure must not change the decision */
    }
    const written = denialEvents(req, j).map((e) => this.opts.ctx.record(e));
    const first = (written[0] ?? Promise.resolve(null)).then((e) => e?.seq ?? null);
    if (terminate) {
      // The event must be on disk before the session dies.
      void first
        .then(() => this.opts.ctx.flush())
        .catch(() => undefined)
        .then(() => this.opts.onTerminate?.(info));
    }
    return first;
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
      if (d.verdict !== 'deny') {
        this.opts.approvals?.approve(buf.subarray(0, need));
        return void sock.end(encodeAnswer(true));
      }
      void this.afterDeny(r.request, j).then((seq) => sock.end(encodeAnswer(false, refusalLine(d, seq))));
    });
  }

  async close(): Promise<void> {
    this.unsubscribe();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
