// PagerDuty Events API v2 sink: one "trigger" per event. dedup_key is derived from the chain position, so a
// repeated delivery (at-least-once) folds into the same incident. PagerDuty answers 202; 429 means slow down.
import type { PagerDutySink } from '../../core/sink-config.js';
import type { Severity } from '../../core/severity.js';
import { netted, type OutgoingAlert } from '../delivery/alert.js';
import { postOk } from './http.js';
import { asciiJson, type Transport } from './transport.js';

const PD_SEVERITY: Record<Severity, string> = { critical: 'critical', high: 'error', medium: 'warning', low: 'info', info: 'info' };

export function pagerDutyPayload(a: OutgoingAlert, routingKey: string): Record<string, unknown> {
  const e = a.event;
  const details: Record<string, unknown> = { ...e, severity: a.severity, ...(a.suppressed ? { suppressed: a.suppressed } : {}), ...(a.withheld ? { withheld: true } : {}) };
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: `grith-${e.kid ?? 'legacy'}-${e.seq}`,
    client: 'grith',
    payload: {
      summary: a.summary.slice(0, 1024),
      source: a.host,
      severity: PD_SEVERITY[a.severity],
      timestamp: e.ts,
      component: e.guard,
      group: 'grith',
      class: e.kind,
      custom_details: details,
    },
  };
}

export function pagerDutyTransport(cfg: Pick<PagerDutySink, 'url' | 'routingKey'>): Transport {
  return {
    maxBatch: 1,
    async send(alerts, { net, signal, timeoutMs }) {
      // The routing key is ours, not the event's: scan only what describes the event.
      const body = netted(alerts, (as) => asciiJson(pagerDutyPayload(as[0]!, '')), (b) => b, net);
      const withKey = body.replace('"routing_key":""', `"routing_key":${JSON.stringify(cfg.routingKey)}`);
      await postOk(cfg.url, withKey, { signal, timeoutMs });
    },
  };
}
