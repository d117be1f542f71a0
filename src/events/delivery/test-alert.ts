// `grith alerts test`: record an alert.test event (every sink hears it, whatever its severity threshold) and wait
// for each sink to take it, so the whole path — log, cursor, transport, receiver — is proven end to end.
import { EventLog } from '../event-log.js';
import { loadSinks } from './config.js';
import { DeliveryService } from './service.js';
import { settleDelivery } from './settle.js';
import { sinkStatus } from './status.js';

export interface TestAlertResult {
  seq: number;
  hash: string;
  sinks: { id: string; type: string; target: string; delivered: boolean; lag: number; error: string | null }[];
}

export async function sendTestAlert(home: string, waitMs: number): Promise<TestAlertResult> {
  const event = await new EventLog(home).append({ kind: 'alert.test', guard: 'cli', action: 'info', message: 'test alert (grith alerts test)', pid: process.pid });
  await settleDelivery(home, waitMs);
  const service = DeliveryService.for(home);
  const out: TestAlertResult = { seq: event.seq, hash: event.hash, sinks: [] };
  for (const sink of await loadSinks(home)) {
    const st = await sinkStatus(home, sink, service.firstSeq ?? event.seq);
    const ran = service.last.get(sink.id)?.result;
    out.sinks.push({
      id: st.id,
      type: st.type,
      target: st.target,
      delivered: st.cursor >= event.seq,
      lag: st.lag,
      error: st.cursor >= event.seq ? null : (st.lastError ?? ran?.error ?? (ran?.state === 'busy' ? 'another grith process is delivering to it' : null)),
    });
  }
  return out;
}
