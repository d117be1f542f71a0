// grith alerts remove-webhook: stop delivering to a webhook.
import { Args } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { removeWebhook } from '../../src/session/alert-sinks.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsRemoveWebhook extends GrithCommand {
  static override summary = 'Remove a webhook by its number (grith alerts list) or URL';
  static override examples = ['<%= config.bin %> alerts remove-webhook 1'];
  static override args = { webhook: Args.string({ description: 'number from grith alerts list, or the URL', required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(AlertsRemoveWebhook);
    const hooks = await removeWebhook(resolveHome(), args.webhook);
    this.out(hooks, () => `removed; ${hooks.length} webhook(s) left`);
  }
}
