// The transport for a configured sink.
import type { SinkConfig } from '../../core/sink-config.js';
import { grithVersion } from '../package-root.js';
import { otlpTransport } from './otlp.js';
import { pagerDutyTransport } from './pagerduty.js';
import { slackTransport } from './slack.js';
import { syslogTransport } from './syslog.js';
import type { Transport } from './transport.js';
import { webhookTransport } from './webhook.js';

export function transportFor(cfg: SinkConfig): Transport {
  switch (cfg.type) {
    case 'webhook':
      return webhookTransport(cfg);
    case 'syslog':
      return syslogTransport(cfg);
    case 'otlp':
      return otlpTransport(cfg, grithVersion());
    case 'pagerduty':
      return pagerDutyTransport(cfg);
    case 'slack':
      return slackTransport(cfg);
  }
}
