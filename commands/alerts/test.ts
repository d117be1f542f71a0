// grith alerts test: send a test event through every sink and say which took it.
import { Flags } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { sendTestAlert } from '../../src/events/delivery/test-alert.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsTest extends GrithCommand {
  static override summary = 'Record a test event and check that every alert sink takes it (exit 1 if one does not)';
  static override description = `The test event (kind alert.test) goes through the same path as real alerts: it is
appended to the log and each sink delivers it after whatever it still has to deliver, in order. Waits up to
--timeout seconds. Exit 0 when every sink took it, 1 when one did not (it stays queued and is retried), 2 on error.`;
  static override examples = ['<%= config.bin %> alerts test', '<%= config.bin %> alerts test --timeout 30 --json'];
  static override flags = {
    timeout: Flags.integer({ description: 'seconds to wait for the sinks', default: 10, min: 1 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AlertsTest);
    const r = await sendTestAlert(resolveHome(), flags.timeout * 1000);
    this.out(r, () =>
      r.sinks.length === 0
        ? `test event #${r.seq} recorded; no alert sinks configured (grith alerts add-…)`
        : [`test event #${r.seq}:`, ...r.sinks.map((s) => `  ${s.delivered ? 'ok     ' : 'PENDING'} ${s.id} ${s.type} ${s.target}${s.error ? ` — ${s.error}` : ''}`)].join('\n'),
    );
    if (r.sinks.some((s) => !s.delivered)) this.exit(1);
  }
}
