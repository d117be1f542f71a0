// grith scan: look for canaries (in every encoded form) in files, folders or stdin. Exit 1 on a hit.
import { Args } from '@oclif/core';
import { GrithCommand } from '../src/cli/base-command.js';
import { table } from '../src/cli/canary-view.js';
import { pendingLine } from '../src/events/delivery/settle.js';
import { scanAndRecord } from '../src/session/scan-paths.js';
import { resolveHome } from '../src/store/home.js';

export default class Scan extends GrithCommand {
  static override summary = 'Scan files, folders or stdin for canaries; exit 1 when one is found, 0 when clean';
  static override description = `Matches every canary in the store in plain and encoded forms (base64 at any alignment,
hex, percent, JSON escapes, UTF-16LE, reversed, double base64, truncated core). Reports canary id,
label, variant, file and offset — never the value — and records a canary.fired event per finding.
Alert sinks get the findings within 2 s; a sink that is down or slow gets them later from the background
deliverer, and scan says "alert delivery pending" (on stderr; with --json also as alertDelivery.pending).
Exit codes: 0 clean, 1 canary found, 2 error (including files that could not be read).`;
  static override examples = [
    '<%= config.bin %> scan .',
    'git diff | <%= config.bin %> scan -',
    '<%= config.bin %> scan build/ --json',
  ];
  static override args = { path: Args.string({ description: 'file or folder to scan, or - for stdin', default: '.' }) };
  static override strict = false;

  async run(): Promise<void> {
    const { argv } = await this.parse(Scan);
    const targets = (argv as string[]).filter((a) => a !== '--json');
    const paths = targets.length > 0 ? targets : ['.'];
    const tty = process.stderr.isTTY && !this.jsonMode();
    let n = 0;
    const report = await scanAndRecord(resolveHome(), paths, process.stdin, (file) => {
      n++;
      if (tty && n % 200 === 0) process.stderr.write(`\rscanned ${n} files… ${file.slice(-60).padEnd(60)}`);
    });
    if (tty && n >= 200) process.stderr.write('\r'.padEnd(80) + '\r');
    this.out(report, () => {
      const lines: string[] = [];
      if (report.findings.length > 0) {
        lines.push(`CANARY FOUND: ${report.findings.length} finding(s)`);
        lines.push(
          table([
            ['CANARY', 'LABEL', 'VARIANT', 'WHERE', 'OFFSET'],
            ...report.findings.map((f) => [f.canaryId, f.label, f.variant, f.source === '-' ? 'stdin' : f.source, String(f.offset)]),
          ]),
        );
      } else {
        lines.push(`clean: ${report.filesScanned} file(s), ${report.bytesScanned} bytes, ${report.canaries} canaries`);
      }
      for (const u of report.unreadable) lines.push(`could not scan ${u.source}: ${u.reason}`);
      return lines.join('\n');
    });
    if (report.alertDelivery?.pending) process.stderr.write(pendingLine(report.alertDelivery) + '\n');
    if (report.findings.length > 0) this.exit(1);
    if (report.unreadable.length > 0) this.exit(2);
  }
}
