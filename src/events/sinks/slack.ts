// Slack incoming-webhook sink: {text, blocks} with the one-line summary, the severity, and the chain witness in a
// context line. Slack answers 200 "ok"; 429 carries Retry-After.
import type { SlackSink } from '../../core/sink-config.js';
import { netted, type OutgoingAlert } from '../delivery/alert.js';
import { postOk } from './http.js';
import { asciiJson, type Transport } from './transport.js';

/** Slack's mrkdwn control characters. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackPayload(a: OutgoingAlert): Record<string, unknown> {
  const e = a.event;
  const head = `*${a.severity.toUpperCase()}* ${esc(a.summary)}`;
  const facts = [
    e.canaryId ? `canary \`${esc(e.canaryId)}\`` : '',
    e.fingerprint ? `fp \`${esc(e.fingerprint)}\`` : '',
    e.variant ? `variant ${esc(e.variant)}` : '',
    e.where ? `at \`${esc(e.where)}\`` : '',
    e.session ? `session \`${esc(e.session)}\`` : '',
    a.suppressed ? `${a.suppressed} lower-severity event(s) suppressed before this one` : '',
  ].filter(Boolean);
  const witness = `#${e.seq} · chain ${e.hash} · ${esc(a.host)} · ${e.ts}`;
  return {
    text: `[${a.severity.toUpperCase()}] ${a.summary}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: [head, ...facts].join('\n') } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: witness }] },
    ],
  };
}

export function slackTransport(cfg: Pick<SlackSink, 'url'>): Transport {
  return {
    maxBatch: 1,
    async send(alerts, { net, signal, timeoutMs }) {
      const body = netted(alerts, (as) => asciiJson(slackPayload(as[0]!)), (b) => b, net);
      await postOk(cfg.url, body, { signal, timeoutMs });
    },
  };
}
