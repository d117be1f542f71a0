// What a short-lived command does after recording events: wait at most a couple of seconds for the sinks to take
// them, then leave the rest to retries (the background deliverer) and say so — it never hangs on a slow sink.
import { appendedInThisProcess } from '../event-log.js';
import { ensureBackgroundDelivery } from './background.js';
import { loadSinks } from './config.js';
import { DeliveryService } from './service.js';
import { sinkStatus } from './status.js';

export interface PendingSink {
  id: string;
  type: string;
  target: string;
  lag: number;
  error: string | null;
}

export interface DeliveryOutcome {
  /** True when some sink has not taken every event yet. */
  pending: boolean;
  sinks: PendingSink[];
  /** pid of a background deliverer started for the rest. */
  background: number | null;
}

export const CLI_DELIVERY_WAIT_MS = 2000;

const settled = new Map<string, number>();

/** Wait up to deadlineMs until every sink took this process's events (through seq); then hand over the rest. */
export async function settleDelivery(home: string, deadlineMs = CLI_DELIVERY_WAIT_MS): Promise<DeliveryOutcome> {
  const service = DeliveryService.for(home);
  const mine = appendedInThisProcess().get(home);
  const target = mine?.last ?? service.lastSeq;
  settled.set(home, target);
  const none: DeliveryOutcome = { pending: false, sinks: [], background: null };
  const sinks = await loadSinks(home).catch(() => []);
  if (sinks.length === 0 || target === 0) return none;
  const until = Date.now() + deadlineMs;
  const legacyStart = mine?.first ?? service.firstSeq ?? target;
  let pending: PendingSink[] = [];
  for (;;) {
    const left = until - Date.now();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([service.pass(true), new Promise((r) => (timer = setTimeout(r, Math.max(0, left))))]);
    clearTimeout(timer);
    pending = [];
    for (const sink of sinks) {
      const st = await sinkStatus(home, sink, legacyStart);
      if (st.cursor < target && st.lag > 0) pending.push({ id: st.id, type: st.type, target: st.target, lag: st.lag, error: st.lastError });
    }
    if (pending.length === 0 || Date.now() >= until) break;
    await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, until - Date.now()))));
  }
  if (pending.length === 0) return none;
  // Attempts still in flight are cut when this process exits (their events stay in the spool); the background
  // deliverer takes over.
  const background = await ensureBackgroundDelivery(home).catch(() => null);
  return { pending: true, sinks: pending, background };
}

/** One line for stderr: "grith: alert delivery pending: …". */
export function pendingLine(o: DeliveryOutcome): string {
  const parts = o.sinks.map((s) => `${s.lag} event(s) for ${s.id}${s.error ? ` (${s.error})` : ''}`);
  return `grith: alert delivery pending: ${parts.join('; ')}; retrying in the background (see: grith alerts status)`;
}

/** For a command's end: settle every home this process recorded to and not settled yet; print pending lines. */
export async function settleBeforeExit(write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Promise<void> {
  for (const [home, { last }] of appendedInThisProcess()) {
    if ((settled.get(home) ?? 0) >= last) continue;
    const o = await settleDelivery(home);
    if (o.pending) write(pendingLine(o));
  }
}

