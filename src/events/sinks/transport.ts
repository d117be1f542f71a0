// The contract every alert sink implements, and the error a failed delivery raises.
import type { OutgoingAlert, PayloadNet } from '../delivery/alert.js';

export interface SendOptions {
  net: PayloadNet;
  signal: AbortSignal;
  timeoutMs: number;
}

export interface Transport {
  /** Most alerts one send() carries (1 for receivers that take one event per request). */
  readonly maxBatch: number;
  /** Deliver the alerts in order; resolves once the receiver took all of them, throws SendError otherwise. */
  send(alerts: OutgoingAlert[], opts: SendOptions): Promise<void>;
}

export class SendError extends Error {
  constructor(
    message: string,
    /** The receiver asked to wait this long (Retry-After). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** ASCII-only JSON: no byte above 0x7f, so syslog MSG and HTTP bodies stay plain whatever a label holds. */
export function asciiJson(v: unknown): string {
  return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** The fields every sink shows about an event, flat and token-free (the event already is). */
export function alertRecord(a: OutgoingAlert): Record<string, unknown> {
  return {
    source: 'grith',
    severity: a.severity,
    summary: a.summary,
    host: a.host,
    ...(a.suppressed ? { suppressed: a.suppressed } : {}),
    ...(a.withheld ? { withheld: true } : {}),
    event: a.event,
  };
}
