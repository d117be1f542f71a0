// grith alerts add-pagerduty: page through PagerDuty Events API v2.
import { Flags } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { commonSinkInput, fromEnv, sinkFlags, sinkLine } from '../../src/cli/sink-view.js';
import { PAGERDUTY_EVENTS_URL, validateHttpUrl } from '../../src/core/sink-config.js';
import { addSink } from '../../src/events/delivery/admin.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsAddPagerduty extends GrithCommand {
  static override summary = 'Page through PagerDuty (Events API v2) on canary.fired and other high-severity events';
  static override description = `Sends an Events v2 "trigger" per event: summary, source (this host), severity (critical
for canary.fired, error for canary.read/context/persisted), component = the guard, class = the kind, and the
event with seq and chain hash in custom_details. dedup_key = grith-<key id>-<seq>, so a repeated delivery folds
into one incident. Non-critical events are limited to 10 per minute (--rate); canary.fired always pages.
The routing key (integration key) is read from an environment variable and kept in the store, never shown.`;
  static override examples = [
    'PD_ROUTING_KEY=… <%= config.bin %> alerts add-pagerduty --routing-key-env PD_ROUTING_KEY',
    'PD_ROUTING_KEY=… <%= config.bin %> alerts add-pagerduty --routing-key-env PD_ROUTING_KEY --url https://events.eu.pagerduty.com/v2/enqueue',
    'PD_ROUTING_KEY=… <%= config.bin %> alerts add-pagerduty --routing-key-env PD_ROUTING_KEY --min-severity critical --json',
  ];
  static override flags = {
    'routing-key-env': Flags.string({ description: 'environment variable holding the integration\'s routing key', required: true }),
    url: Flags.string({ description: 'Events API v2 endpoint', default: PAGERDUTY_EVENTS_URL }),
    ...sinkFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AlertsAddPagerduty);
    const url = validateHttpUrl(flags.url, 'PagerDuty', PAGERDUTY_EVENTS_URL);
    const routingKey = fromEnv(flags['routing-key-env'], 'PagerDuty routing key');
    const view = await addSink(resolveHome(), { type: 'pagerduty', url, routingKey, ...commonSinkInput(flags) });
    this.out(view, () => `alert sink added: ${sinkLine(view)}`);
  }
}
