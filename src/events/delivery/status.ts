// Where each sink stands: its cursor against the log's head, how many events it still has to take (lag), the last
// error and the next retry. Read-only: what `grith alerts status` shows and what a CLI waits on.
import { sinkTarget, type SinkConfig } from '../../core/sink-config.js';
import { readPid } from './background.js';
import { loadSinks } from './config.js';
import { readCursor } from './cursor.js';
import { wants } from './drain.js';
import { readSpool } from './spool.js';

export interface SinkStatus {
  id: string;
  type: SinkConfig['type'];
  target: string;
  minSeverity: string;
  /** Last seq passed (delivered, filtered out or suppressed). */
  cursor: number;
  head: number;
  /** Events this sink still has to take. */
  lag: number;
  oldestPendingAt: string | null;
  delivered: number;
  deliveredAt: string | null;
  suppressed: number;
  failures: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  /** The log was cut or replaced behind this cursor (its seq is past the head, or its hash differs). */
  logRewound: boolean;
}

export interface DeliveryStatus {
  sinks: SinkStatus[];
  head: number;
  /** pid of the background deliverer, when one runs. */
  background: number | null;
}

export async function sinkStatus(home: string, sink: SinkConfig, legacyStart = 0): Promise<SinkStatus> {
  const c = await readCursor(home, sink.id, sink.fromSeq > 0 ? sink.fromSeq : legacyStart);
  const spool = await readSpool(home, c.seq, c.offset, Number.MAX_SAFE_INTEGER);
  const pending = spool.events.filter(({ event }) => wants(sink, event));
  let rewound = spool.head < c.seq;
  if (!rewound && c.hash) {
    const at = await readSpool(home, c.seq - 1, 0, 1);
    rewound = at.events[0]?.event.hash !== c.hash;
  }
  return {
    id: sink.id,
    type: sink.type,
    target: sinkTarget(sink),
    minSeverity: sink.minSeverity,
    cursor: c.seq,
    head: spool.head,
    lag: pending.length,
    oldestPendingAt: pending[0]?.event.ts ?? null,
    delivered: c.delivered,
    deliveredAt: c.deliveredAt,
    suppressed: c.suppressedTotal,
    failures: c.failures,
    lastError: c.lastError,
    nextAttemptAt: c.failures > 0 && c.nextAttemptAt > 0 ? new Date(c.nextAttemptAt).toISOString() : null,
    logRewound: rewound,
  };
}

export async function deliveryStatus(home: string): Promise<DeliveryStatus> {
  const sinks = await loadSinks(home);
  const head = (await readSpool(home, Number.MAX_SAFE_INTEGER, 0, 0)).head;
  const out: SinkStatus[] = [];
  for (const s of sinks) out.push(await sinkStatus(home, s, head + 1));
  return { sinks: out, head, background: await readPid(home) };
}
