// grith alerts list: where alerts are delivered.
import { GrithCommand } from '../../src/cli/base-command.js';
import { sinkList } from '../../src/cli/sink-view.js';
import { listSinks } from '../../src/events/delivery/admin.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsList extends GrithCommand {
  static override summary = 'List the alert sinks (secrets, routing keys and header values are never shown)';
  static override examples = ['<%= config.bin %> alerts list', '<%= config.bin %> alerts list --json'];

  async run(): Promise<void> {
    await this.parse(AlertsList);
    const sinks = await listSinks(resolveHome());
    this.out(sinks, () => sinkList(sinks));
  }
}
