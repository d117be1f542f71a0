// grith events: read, follow or verify the hash-chained event log.
import { Flags } from '@oclif/core';
import { GrithCommand } from '../src/cli/base-command.js';
import { eventLine } from '../src/cli/event-view.js';
import { EventLog } from '../src/events/event-log.js';
import { resolveHome } from '../src/store/home.js';

export default class Events extends GrithCommand {
  static override summary = 'Show the event log; --follow to watch live, --verify to prove the hash chain unbroken';
  static override description = `Events live in $GRITH_HOME/events.jsonl, one JSON object per line, each chained to the
previous by SHA-256. --verify exits 0 when the chain is intact and 1 naming the first broken line.
With --json (and --follow) each event is printed as one JSON line, ready for a SIEM pipeline.`;
  static override examples = [
    '<%= config.bin %> events',
    '<%= config.bin %> events --follow',
    '<%= config.bin %> events --verify',
    '<%= config.bin %> events --json --follow | jq .',
  ];
  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'keep printing new events as they are recorded', default: false }),
    verify: Flags.boolean({ description: 'check the hash chain; exit 1 at the first broken line', default: false }),
    limit: Flags.integer({ char: 'n', description: 'show only the last N events' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Events);
    const log = new EventLog(resolveHome());
    const json = this.jsonMode();
    if (flags.verify) {
      const result = await log.verify();
      this.out(result, () =>
        result.ok ? `ok: ${result.count} event(s), hash chain intact` : `BROKEN at line ${result.line}: ${result.reason}`,
      );
      if (!result.ok) this.exit(1);
      return;
    }
    const all = await log.readAll();
    const shown = flags.limit ? all.slice(-flags.limit) : all;
    if (json && !flags.follow) this.out(shown, () => '');
    else for (const e of shown) process.stdout.write((json ? JSON.stringify(e) : eventLine(e)) + '\n');
    if (!flags.follow) {
      if (!json && shown.length === 0) process.stdout.write('no events yet\n');
      return;
    }
    const lastSeq = all.length > 0 ? all[all.length - 1].seq : 0;
    await new Promise<void>((resolve) => {
      const sub = log.follow((e) => process.stdout.write((json ? JSON.stringify(e) : eventLine(e)) + '\n'), {
        fromSeq: lastSeq + 1,
      });
      const stop = () => {
        void Promise.resolve(sub.close()).then(() => resolve());
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  }
}
