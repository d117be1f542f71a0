// grith alerts remove-webhook: the older name of `grith alerts remove` for webhooks.
import { Args } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { removeSink } from '../../src/events/delivery/admin.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsRemoveWebhook extends GrithCommand {
  static override summary = 'Remove a webhook by id, number (grith alerts list) or URL (same as grith alerts remove)';
  static override examples = ['<%= config.bin %> alerts remove-webhook 1'];
  static override args = { webhook: Args.string({ description: 'sink id, number from grith alerts list, or the URL', required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(AlertsRemoveWebhook);
    const { left } = await removeSink(resolveHome(), args.webhook, 'webhook');
    this.out(left, () => `removed; ${left.length} sink(s) left`);
  }
}
