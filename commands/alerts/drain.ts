// grith alerts drain: deliver what the sinks still have to take, now (or, with --background, until done).
import { Flags } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { statusTable } from '../../src/cli/sink-view.js';
import { drainLoop } from '../../src/events/delivery/background.js';
import { deliveryStatus } from '../../src/events/delivery/status.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsDrain extends GrithCommand {
  static override summary = 'Deliver pending alerts now and wait until every sink caught up (or --timeout)';
  static override description = `Runs delivery passes with the sinks' retry schedule until no sink lags. Exit 0 when all
caught up, 1 when some still lag at the timeout (they stay queued). grith starts this by itself in the
background (--background) when a command ends with alerts undelivered.`;
  static override examples = ['<%= config.bin %> alerts drain', '<%= config.bin %> alerts drain --timeout 120 --json'];
  static override flags = {
    timeout: Flags.integer({ description: 'seconds to keep trying', default: 30, min: 1 }),
    background: Flags.boolean({ hidden: true, default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AlertsDrain);
    const home = resolveHome();
    const stop = new AbortController();
    process.once('SIGTERM', () => stop.abort());
    process.once('SIGINT', () => stop.abort());
    await drainLoop(home, flags.background, { ...(flags.background ? {} : { maxMs: flags.timeout * 1000 }), signal: stop.signal });
    if (flags.background) return;
    const st = await deliveryStatus(home);
    this.out(st, () => statusTable(st));
    if (st.sinks.some((s) => s.lag > 0)) this.exit(1);
  }
}
