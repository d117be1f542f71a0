// grith alerts status: how far each sink has got through the event log.
import { GrithCommand } from '../../src/cli/base-command.js';
import { statusTable } from '../../src/cli/sink-view.js';
import { deliveryStatus } from '../../src/events/delivery/status.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsStatus extends GrithCommand {
  static override summary = "Show each alert sink's progress: delivered through which event, lag, last error, next retry";
  static override description = `The event log is the spool: each sink has a cursor (the last event it took) and gets every
later event, in order, at least once — after an outage of the receiver and after grith restarts. LAG counts the
events the sink still has to take. Events waiting while no guard runs are retried by a background deliverer
(grith alerts drain does it in the foreground).`;
  static override examples = ['<%= config.bin %> alerts status', '<%= config.bin %> alerts status --json | jq ".sinks[] | {id, lag}"'];

  async run(): Promise<void> {
    await this.parse(AlertsStatus);
    const st = await deliveryStatus(resolveHome());
    this.out(st, () => statusTable(st));
  }
}
