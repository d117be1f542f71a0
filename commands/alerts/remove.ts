// grith alerts remove: stop delivering to a sink.
import { Args } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { sinkLine } from '../../src/cli/sink-view.js';
import { removeSink } from '../../src/events/delivery/admin.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsRemove extends GrithCommand {
  static override summary = 'Remove an alert sink by id, by its number in grith alerts list, or by URL';
  static override description = 'Its cursor goes too: events it had not taken yet are not delivered to it.';
  static override examples = ['<%= config.bin %> alerts remove syslog-3fa2c1', '<%= config.bin %> alerts remove 2 --json'];
  static override args = { sink: Args.string({ description: 'sink id, number, or URL', required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(AlertsRemove);
    const { removed, left } = await removeSink(resolveHome(), args.sink);
    this.out({ removed, sinks: left }, () => `removed ${sinkLine(removed)}\n${left.length} sink(s) left`);
  }
}
