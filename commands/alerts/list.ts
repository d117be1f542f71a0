// grith alerts list: where alerts are delivered.
import { GrithCommand } from '../../src/cli/base-command.js';
import { listWebhooks } from '../../src/session/alert-sinks.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsList extends GrithCommand {
  static override summary = 'List the webhooks alerts are delivered to';
  static override examples = ['<%= config.bin %> alerts list --json'];

  async run(): Promise<void> {
    await this.parse(AlertsList);
    const hooks = await listWebhooks(resolveHome());
    this.out(hooks, () =>
      hooks.length === 0
        ? 'no webhooks — add one with: grith alerts add-webhook URL (live events: grith events --follow --json)'
        : hooks.map((h) => `${h.index}. ${h.url}${h.signed ? ' (signed)' : ''}`).join('\n'),
    );
  }
}
