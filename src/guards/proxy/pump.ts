// Moves a client's bytes to the upstream through a gate (scan, hold back, release), with backpressure and idle release.
import type { Duplex } from 'node:stream';
import type { Hit } from '../../core/matcher/types.js';

export interface ByteGate {
  push(raw: Buffer): { hits: Hit[]; release: Buffer };
  /** The client paused: release what the gate's idle rule allows. */
  releaseIdle(): Buffer;
  /** The client finished: release the rest. */
  finish(): Buffer;
}

export interface PumpOptions {
  idleMs: number;
  /** A canary was seen: the pump has stopped forwarding; the caller resets both sides. */
  onHit(hits: Hit[]): void;
  /** The gate could not scan (protocol error): fail closed. */
  onError(err: Error): void;
}

/** client → gate → upstream. Returns a function that stops the pump. */
export function pumpThroughGate(client: Duplex, upstream: Duplex, gate: ByteGate, initial: Buffer, opts: PumpOptions): () => void {
  let stopped = false;
  // One timer, re-armed on every chunk: the idle release runs once the client has been quiet for idleMs.
  let idle: NodeJS.Timeout | null = null;
  const onIdle = (): void => {
    idle = null;
    if (!stopped) write(gate.releaseIdle());
  };
  let waiting = false;
  const write = (b: Buffer): void => {
    if (b.length === 0 || stopped) return;
    if (!upstream.write(b) && !waiting) {
      waiting = true;
      client.pause();
      upstream.once('drain', () => {
        waiting = false;
        if (!stopped) client.resume();
      });
    }
  };
  const stop = (): void => {
    stopped = true;
    if (idle) clearTimeout(idle);
    client.off('data', onData);
    client.off('end', onEnd);
  };
  const onData = (chunk: Buffer): void => {
    if (stopped) return;
    let step: { hits: Hit[]; release: Buffer };
    try {
      step = gate.push(chunk);
    } catch (e) {
      stop();
      opts.onError(e as Error);
      return;
    }
    if (step.hits.length > 0) {
      stop();
      opts.onHit(step.hits);
      return;
    }
    write(step.release);
    if (idle) idle.refresh();
    else idle = setTimeout(onIdle, opts.idleMs);
  };
  const onEnd = (): void => {
    if (stopped) return;
    write(gate.finish());
    stop();
    upstream.end();
  };
  client.on('data', onData);
  client.on('end', onEnd);
  if (initial.length > 0) onData(initial);
  // The CONNECT peek left the socket explicitly paused.
  client.resume();
  return stop;
}
