// The alert sinks a guard process delivers recorded events to, over the lossless delivery of src/events/delivery:
// deliver(e) kicks delivery (it never waits), flush() waits a bounded time and hands what is left to the background
// deliverer. The call shape guard contexts use: createAlertSinks(home) once, alerts.deliver(e) after each append
// (appends in this process kick delivery by themselves too), alerts.flush(ms) at close.
import type { Matcher } from '../core/matcher/types.js';
import { DeliveryService } from '../events/delivery/service.js';
import { settleDelivery, type DeliveryOutcome } from '../events/delivery/settle.js';
import type { EventSink } from '../events/sinks.js';
import type { GrithEvent } from '../events/types.js';

export interface AlertSinks extends EventSink {
  /** Re-read the sink list from the store (call on store change). */
  refresh(): Promise<void>;
  /** Wait for this process's events to be taken, at most deadlineMs; the rest goes to the background deliverer. */
  flush(deadlineMs?: number): Promise<DeliveryOutcome>;
}

export interface AlertSinkOptions {
  /** The guard's live matcher, reused as the outgoing-payload net (saves compiling a second one). */
  matcher?: () => Matcher | null;
}

export async function createAlertSinks(home: string, extra: EventSink[] = [], opts: AlertSinkOptions = {}): Promise<AlertSinks> {
  const service = DeliveryService.for(home, { keepRetrying: true, ...(opts.matcher ? { matcher: opts.matcher } : {}) });
  await service.refresh();
  return {
    deliver(e: GrithEvent) {
      service.kick();
      for (const s of extra) s.deliver(e);
    },
    refresh: () => service.refresh(),
    flush: (deadlineMs?: number) => settleDelivery(home, deadlineMs),
  };
}
