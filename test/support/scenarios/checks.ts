// The three things every exfiltration scenario asserts, computed once: the refusal is the row's own business; here are
// the event the expected guard recorded and what the attacker (or an out-of-zone file) received.
import type { Canary } from '../../../src/core/canary.js';
import type { GrithEvent } from '../../../src/events/types.js';
import { leaks, type Received } from './attacker.js';
import { eventsUntil } from './session.js';

export interface Verdict {
  /** canary.fired events after the row started. */
  fired: GrithEvent[];
  /** Of those, the expected guard's denials for the expected canary. */
  denials: GrithEvent[];
  /** Where the attacker received a canary (empty: nothing). */
  leaked: string[];
}

export async function verdict(o: {
  home: string;
  afterSeq: number;
  canary: Canary;
  guard: 'fs' | 'shell' | 'proxy';
  received: () => Received[];
  all: readonly Canary[];
  /** How long to wait for the expected denial event. */
  waitMs?: number;
}): Promise<Verdict> {
  const isMine = (e: GrithEvent): boolean => e.kind === 'canary.fired' && e.guard === o.guard && e.action === 'deny' && e.canaryId === o.canary.id;
  const evs = await eventsUntil(o.home, o.afterSeq, isMine, o.waitMs);
  const fired = evs.filter((e) => e.kind === 'canary.fired');
  return { fired, denials: fired.filter(isMine), leaked: leaks(o.received(), o.all) };
}

/** One line per event for a failure message (ids, guards, variants: never values). */
export function describeEvents(evs: GrithEvent[]): string {
  return evs.map((e) => `${e.seq} ${e.kind} ${e.guard} ${e.action} ${e.canaryId ?? '-'} ${e.variant ?? '-'} ${e.where ?? ''}`).join('\n');
}
