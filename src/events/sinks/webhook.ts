// Webhook sink: one JSON POST per event, {source, severity, summary, host, event}, optionally signed with
// X-Grith-Signature-256: sha256=HMAC-SHA256(secret, body). The event carries seq and the chain hash (the witness).
import { createHmac } from 'node:crypto';
import type { WebhookSink } from '../../core/sink-config.js';
import { netted } from '../delivery/alert.js';
import { postOk } from './http.js';
import { alertRecord, asciiJson, type Transport } from './transport.js';

/** `sha256=<hex>` over the exact body bytes, as GitHub-style receivers expect. */
export function signBody(body: string, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body, 'utf8').digest('hex');
}

export function webhookTransport(cfg: Pick<WebhookSink, 'url' | 'secret'>): Transport {
  return {
    maxBatch: 1,
    async send(alerts, { net, signal, timeoutMs }) {
      const body = netted(alerts, (as) => asciiJson(alertRecord(as[0]!)), (b) => b, net);
      const e = alerts[0]!.event;
      const headers: Record<string, string> = {
        'x-grith-event': e.kind,
        'x-grith-delivery': `${e.seq}-${e.hash.slice(0, 16)}`,
      };
      if (cfg.secret) headers['x-grith-signature-256'] = signBody(body, cfg.secret);
      await postOk(cfg.url, body, { headers, signal, timeoutMs });
    },
  };
}
