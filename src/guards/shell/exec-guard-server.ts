// The session side of the exec guard: a Unix-socket server that answers allow/deny for every exec in the session.
import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { EventInput } from '../../events/types.js';
import type { GuardContext } from '../guard-context.js';
import { decideExec, programName, type ExecDecision } from './exec-policy.js';
import { encodeAnswer, parseFrame, type ExecRequest } from './exec-protocol.js';

export interface ExecFireInfo {
  request: ExecRequest;
  decision: Extract<ExecDecision, { allow: false }>;
}

export interface ExecGuardOptions {
  /** flush(), when the context has it, resolves once recorded events are on disk (needed before a terminate). */
  ctx: GuardContext & { flush?(): Promise<void> };
  socketPath: string;
  /** Called for every denied exec, right after the answer went out (the session shows its banner here). */
  onDeny?: (info: ExecFireInfo) => void;
  /** Called when a canary with `terminate` fired, after its event was written: end the session. */
  onTerminate?: (info: ExecFireInfo) => void;
}

/** Events for one denial: one canary.fired per canary found, or a guard.error when failing closed. */
export function denialEvents(req: ExecRequest, d: Extract<ExecDecision, { allow: false }>, session?: string): EventInput[] {
  const detail = { ppid: req.ppid, exec: req.kind, program: programName(req) };
  if (d.failClosed !== undefined) {
    return [
      {
        kind: 'guard.error',
        guard: 'shell',
        action: 'deny',
        where: d.maskedArgv,
        pid: req.pid,
        session,
        message: `exec denied, guard cannot check it: ${d.failClosed}`,
        detail,
      },
    ];
  }
  return d.fires.map((f) => ({
    kind: 'canary.fired',
    guard: 'shell',
    action: 'deny',
    canaryId: f.hit.canaryId,
    label: f.hit.label,
    fingerprint: f.hit.fingerprint,
    variant: f.hit.variant,
    where: d.maskedArgv,
    cmdline: d.maskedArgv,
    pid: req.pid,
    session,
    message: d.reason,
    detail: { ...detail, terminate: f.canary?.terminate === true },
  }));
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
  async check(req: ExecRequest): Promise<ExecDecision> {
    const d = this.decide(req);
    if (!d.allow) await this.afterDeny(req, d);
    return d;
  }

  private decide(req: ExecRequest): ExecDecision {
    if (this.terminated) {
      return {
        allow: false,
        reason: `blocked exec of ${programName(req)}: the grith session is ending (a canary fired)`,
        fires: [],
        terminate: false,
        maskedArgv: '',
      };
    }
    try {
      return decideExec(this.opts.ctx.snapshot(), req);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return {
        allow: false,
        reason: `blocked exec of ${programName(req)}: grith could not scan it`,
        fires: [],
        terminate: false,
        maskedArgv: `${programName(req)} …`,
        failClosed: why,
      };
    }
  }

  private async afterDeny(req: ExecRequest, d: Extract<ExecDecision, { allow: false }>): Promise<void> {
    // Denials after a terminate carry no new finding; the session is already going down.
    if (d.fires.length === 0 && d.failClosed === undefined) return;
    if (d.terminate) this.terminated = true;
    const info = { request: req, decision: d };
    try {
      this.opts.onDeny?.(info);
    } catch {
      /* a banner failure must not change the decision */
    }
    const writes = denialEvents(req, d, this.opts.ctx.session).map((e) => this.opts.ctx.record(e) as unknown);
    if (d.terminate) {
      // The event must be on disk before the session dies: flush() when the context offers it, else whatever
      // record() returned (a promise, for some contexts).
      await Promise.allSettled(writes);
      await this.opts.ctx.flush?.().catch(() => undefined);
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
      const d = this.decide(r.request);
      sock.end(d.allow ? encodeAnswer(true) : encodeAnswer(false, d.reason));
      if (!d.allow) void this.afterDeny(r.request, d);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
