// grith alerts add-slack: post alerts to a Slack channel through an incoming webhook.
import { Args } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { commonSinkInput, sinkFlags, sinkLine } from '../../src/cli/sink-view.js';
import { validateHttpUrl } from '../../src/core/sink-config.js';
import { addSink } from '../../src/events/delivery/admin.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsAddSlack extends GrithCommand {
  static override summary = 'Post high-severity alerts to Slack (incoming-webhook format)';
  static override description = `Posts {"text","blocks"}: the severity and a one-line summary (canary, variant, guard,
where), and a context line with the event's seq, chain hash, host and time. Non-critical events are limited to 10
per minute (--rate); canary.fired always goes. The webhook URL is a secret: it is kept in the store and shown
only as https://hooks.slack.com/…. Exit 2 on a bad URL.`;
  static override examples = [
    '<%= config.bin %> alerts add-slack https://hooks.slack.com/services/T000/B000/XXXX',
    '<%= config.bin %> alerts add-slack https://hooks.slack.com/services/T000/B000/XXXX --min-severity critical --json',
  ];
  static override args = { url: Args.string({ description: 'the Slack incoming-webhook URL', required: true }) };
  static override flags = { ...sinkFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AlertsAddSlack);
    const url = validateHttpUrl(args.url, 'Slack webhook', 'https://hooks.slack.com/services/T000/B000/XXXX');
    const view = await addSink(resolveHome(), { type: 'slack', url, ...commonSinkInput(flags) });
    this.out(view, () => `alert sink added: ${sinkLine(view)}`);
  }
}
