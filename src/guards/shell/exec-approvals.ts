// The approvals channel to grith-launch's seccomp supervisor (native/seccomp/README.md): before the exec guard answers
// "allow", it pushes the very request it judged clean, so the supervisor lets that exec go on without asking again;
// a store change or a terminate pushes GXF (forget them all).
//
// Who can write to the supervisor: the supervisor connects once, at its start, before any program of the session
// runs; the first connection is the only one ever accepted (the listener is then closed and its path removed), and
// the channel only carries data this way. A process that connected first could only read approvals (argv it can see
// in /proc anyway) — the supervisor, refused, would not start.
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';

/** Requests bigger than this are not pushed: the supervisor asks for those execs itself. */
export const MAX_APPROVAL = 256 * 1024;
/** "Forget every approval": u32 length 4, then "GXF\0". */
const FLUSH = Buffer.from([4, 0, 0, 0, 0x47, 0x58, 0x46, 0]);

/** What the exec guard server needs of the channel. */
export interface ExecApprovalSink {
  /** frame: one request exactly as received (u32 length + payload), judged clean just now. */
  approve(frame: Buffer): void;
  /** The verdicts pushed so far may no longer hold (the store changed, the session is ending). */
  flush(): void;
}

export class ExecApprovals implements ExecApprovalSink {
  private peer: Socket | null = null;
  private claimed = false;
  private readonly connected: Promise<void>;
  private onConnect!: () => void;

  private constructor(
    private readonly server: Server,
    readonly socketPath: string,
  ) {
    this.connected = new Promise((resolve) => (this.onConnect = resolve));
  }

  /** Listen on path (in the session's 0700 folder) for the one supervisor. */
  static listen(socketPath: string): Promise<ExecApprovals> {
    return new Promise((resolve, reject) => {
      let channel: ExecApprovals;
      // Half-open allowed: a supervisor that shuts its (unused) sending side down is still listening.
      const server = createServer({ allowHalfOpen: true }, (sock) => channel.accept(sock));
      channel = new ExecApprovals(server, socketPath);
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        try {
          chmodSync(socketPath, 0o600);
        } catch {
          /* the folder's mode still protects it */
        }
        resolve(channel);
      });
    });
  }

  /** Resolves once the supervisor is connected. */
  whenConnected(): Promise<void> {
    return this.connected;
  }

  get isConnected(): boolean {
    return this.peer !== null && !this.peer.destroyed;
  }

  approve(frame: Buffer): void {
    const peer = this.peer;
    if (!peer || peer.destroyed || frame.length > MAX_APPROVAL + 4) return;
    // Written before the exec guard's answer goes out. When the socket is backed up the write is only queued: the
    // approval may then land after the exec, which the supervisor simply asks about (slower, never wrong).
    peer.write(frame);
  }

  flush(): void {
    const peer = this.peer;
    if (!peer || peer.destroyed) return;
    peer.write(FLUSH);
    // Backed up: the GXF is only queued, and the supervisor could still act on an approval before it. Closing the
    // channel makes it forget every approval at once (it sees the end before its next lookup) and ask from then on.
    if (peer.writableLength > 0) peer.destroy();
  }

  private accept(sock: Socket): void {
    if (this.claimed) return void sock.destroy();
    this.claimed = true;
    this.peer = sock;
    // Nothing is read from the supervisor; a peer that sends is ignored, one that goes away is gone for good.
    sock.on('data', () => undefined);
    sock.on('error', () => sock.destroy());
    sock.on('close', () => (this.peer = null));
    this.server.close();
    rmSync(this.socketPath, { force: true });
    this.onConnect();
  }

  async close(): Promise<void> {
    this.peer?.destroy();
    this.peer = null;
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.socketPath, { force: true });
  }
}
