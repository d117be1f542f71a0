// grith alerts add-syslog: RFC 5424 over TCP or TLS to rsyslog, syslog-ng, Vector, Fluent Bit or a SIEM.
import { Args, Flags } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { commonSinkInput, readCaFile, sinkFlags, sinkLine } from '../../src/cli/sink-view.js';
import { normalizeSyslogUrl, parseFacility } from '../../src/core/sink-config.js';
import { addSink } from '../../src/events/delivery/admin.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsAddSyslog extends GrithCommand {
  static override summary = 'Deliver every event to a syslog receiver (RFC 5424, octet-counted, TCP or TLS)';
  static override description = `syslog://HOST[:PORT] is TCP (default port 514); syslog+tls://HOST[:PORT] is TLS (RFC 5425,
default port 6514), verified against the system CAs plus --ca. Messages are RFC 5424 with octet-counted framing:
APP-NAME grith, MSGID the event kind, structured data [grith@32473 seq=… hash=… kind=… severity=… canaryId=…],
and the alert as JSON in MSG. Severity: canary.fired crit, canary.read/context/persisted err, guard.error warning,
the rest info. By default every event is sent (--min-severity to narrow). Lossless: events recorded while the
receiver is down are sent in order once it is back. Exit 2 on a bad URL.`;
  static override examples = [
    '<%= config.bin %> alerts add-syslog syslog://127.0.0.1:514',
    '<%= config.bin %> alerts add-syslog syslog+tls://siem.example.com:6514 --ca ./siem-ca.pem',
    '<%= config.bin %> alerts add-syslog syslog://logs.internal:1514 --facility local4 --min-severity high --json',
  ];
  static override args = { url: Args.string({ description: 'syslog://HOST[:PORT] or syslog+tls://HOST[:PORT]', required: true }) };
  static override flags = {
    ca: Flags.string({ description: 'PEM file with a CA to trust for TLS (besides the system CAs)' }),
    facility: Flags.string({ description: 'syslog facility, name or number (default auth)', default: 'auth' }),
    ...sinkFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AlertsAddSyslog);
    const url = normalizeSyslogUrl(args.url);
    const ca = await readCaFile(flags.ca);
    const view = await addSink(resolveHome(), { type: 'syslog', url, facility: parseFacility(flags.facility), ...(ca ? { ca } : {}), ...commonSinkInput(flags) });
    this.out(view, () => `alert sink added: ${sinkLine(view)}`);
  }
}
