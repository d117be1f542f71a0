// The agent's model channel (DESIGN.md, note 8): bytes carrying a canary that the session's agent process sends to
// its own model endpoint are context, recorded once per canary as canary.context and let through; the same bytes
// from any other process, or to any other host, are denied. Who sent them is the kernel's answer (the owner of the
// client socket), asked only when a hit meets a model endpoint and kept per connection.
import type { Socket } from 'node:net';

export interface ModelChannelOptions {
  endpoints: { matches(host: string, port: number): boolean };
  /** alert: context is recorded and let through; deny: the hard gate everywhere, model endpoints included. */
  policy: 'alert' | 'deny';
  /** Is the session's agent (and nothing else) the owner of this client connection? Never from anything the session sets. */
  ownedByAgent(client: Socket): Promise<boolean>;
}

export class ModelChannel {
  private readonly owners = new WeakMap<Socket, Promise<boolean>>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly o: ModelChannelOptions) {}

  isEndpoint(host: string, port: number): boolean {
    return this.o.endpoints.matches(host, port);
  }

  /** Hits bound for dest from this client are the agent's context (policy alert, a model endpoint, the agent's socket). */
  async carriesContext(host: string, port: number, client: Socket | undefined): Promise<boolean> {
    if (this.o.policy !== 'alert' || !client || !this.isEndpoint(host, port)) return false;
    let owned = this.owners.get(client);
    if (!owned) {
      owned = this.o.ownedByAgent(client).catch(() => false);
      this.owners.set(client, owned);
    }
    return owned;
  }

  /** Count a request carrying this canary to the model; true the first time in the session (then it is recorded). */
  note(canaryId: string): boolean {
    const n = (this.counts.get(canaryId) ?? 0) + 1;
    this.counts.set(canaryId, n);
    return n === 1;
  }

  /** Requests that carried each canary to the model so far. */
  tally(): ReadonlyMap<string, number> {
    return this.counts;
  }
}
