// grith events: read, follow or verify the hash-chained event log.
import { Flags } from '@oclif/core';
import { GrithCommand } from '../src/cli/base-command.js';
import { eventLine } from '../src/cli/event-view.js';
import { EventLog } from '../src/events/event-log.js';
import { verifyEventLog } from '../src/events/verify.js';
import { verifyAgainst } from '../src/events/witness.js';
import { resolveHome } from '../src/store/home.js';

export default class Events extends GrithCommand {
  static override summary = 'Show the event log; --follow to watch live, --verify to prove it complete and unaltered';
  static override description = `Events live in $GRITH_HOME/events.jsonl, one JSON object per line, each chained to the
previous by an HMAC keyed with $GRITH_HOME/keys/chain.key; keys/head.json is a signed checkpoint of the newest line.

--json prints JSON lines: one event object per line (with or without --follow), ready for jq or a SIEM pipeline,
e.g. grith events --json | jq 'select(.kind=="canary.fired")'.

--verify exits 0 when every line verifies and the log reaches the signed checkpoint, 1 naming the first broken
line or the cut tail (deleted last lines, truncation, a chain recomputed without the key). Logs written before
grith keyed its chain verify as an unkeyed prefix. --verify --against FILE also holds the log against what an
alert sink received (a syslog file, webhook or OTLP JSON bodies): every alert carries its seq and chain hash.`;
  static override examples = [
    '<%= config.bin %> events',
    '<%= config.bin %> events -n 20 --json | jq -c \'select(.kind=="canary.fired") | {seq, label, where}\'',
    '<%= config.bin %> events --follow --json',
    '<%= config.bin %> events --verify',
    '<%= config.bin %> events --verify --against /var/log/grith-siem.log',
  ];
  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'keep printing new events as they are recorded', default: false }),
    verify: Flags.boolean({ description: 'check the chain and the signed checkpoint; exit 1 when broken or cut', default: false }),
    against: Flags.string({ description: 'with --verify: a file an alert sink received, to compare seq and hashes with', dependsOn: ['verify'] }),
    limit: Flags.integer({ char: 'n', description: 'show only the last N events', min: 1 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Events);
    const home = resolveHome();
    const json = this.jsonMode();
    if (flags.verify) return this.verify(home, flags.against);
    const log = new EventLog(home);
    const all = await log.readAll();
    const shown = flags.limit ? all.slice(-flags.limit) : all;
    const print = (e: (typeof all)[number]) => process.stdout.write((json ? JSON.stringify(e) : eventLine(e)) + '\n');
    for (const e of shown) print(e);
    if (!flags.follow) {
      if (!json && shown.length === 0) process.stdout.write('no events yet\n');
      return;
    }
    const lastSeq = all.length > 0 ? all[all.length - 1]!.seq : 0;
    await new Promise<void>((resolve) => {
      const sub = log.follow(print, { fromSeq: lastSeq + 1 });
      const stop = () => void Promise.resolve(sub.close()).then(() => resolve());
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  }

  private async verify(home: string, against: string | undefined): Promise<void> {
    const report = await verifyEventLog(home);
    const witness = against ? await verifyAgainst(home, against) : undefined;
    const ok = report.ok && (witness?.ok ?? true);
    this.out({ ...report, ok, ...(witness ? { against: witness } : {}) }, () => {
      const lines = [
        report.ok
          ? `ok: ${report.count} event(s), chain intact${report.checkpoint ? `, signed checkpoint at #${report.checkpoint.seq}` : ''}`
          : `BROKEN${report.line ? ` at line ${report.line}` : ''}: ${report.reason}`,
        ...report.notes.map((n) => `note: ${n}`),
      ];
      if (witness) {
        lines.push(
          witness.ok
            ? `ok: ${witness.matched} event(s) seen by the sink match the log (sink through #${witness.sinkEnd}, log through #${witness.logEnd})`
            : `MISMATCH with ${witness.file}: ${witness.reason}`,
        );
      }
      return lines.join('\n');
    });
    if (!ok) this.exit(1);
  }
}
