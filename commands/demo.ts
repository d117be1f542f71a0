// grith demo: a compromised agent tries a dozen ways to exfiltrate canaries; the three guards stop every one.
import { GrithCommand } from '../src/cli/base-command.js';
import { table } from '../src/cli/canary-view.js';
import { DemoInterruptedError, runDemo, type DemoResult, type DemoRow } from '../src/demo/run-demo.js';

function guardText(r: DemoRow): string {
  const alerts = r.alerts.length > 0 ? ` (${r.alerts.join('+')} alert)` : '';
  return r.guard + alerts;
}

function bytes(n: number): string {
  return n < 10_000 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}

function summary(result: DemoResult): string {
  const a = result.attacker;
  const lines = [
    '',
    table([
      ['ROUTE', 'STOPPED BY', 'VERDICT', 'MATCHED AS', 'ATTACKER GOT'],
      ...result.rows.map((r) => [
        r.route,
        guardText(r),
        r.verdict,
        r.variant ?? '-',
        r.received.requests > 0 || r.received.bytes > 0 ? `${r.received.requests} req, ${bytes(r.received.bytes)}` : 'nothing',
      ]),
    ]),
    '',
    `canaries: ${result.canaries.map((c) => `${c.format} (${c.placements.join(', ')})`).join('; ')}`,
    `routes stopped: ${result.routes.stopped} of ${result.routes.attempted}`,
    `attacker received: ${a.connections} connections, ${a.requests} requests, ${bytes(a.bytes)}; ` +
      `scanned ${bytes(a.scannedBytes)} (raw, decoded bodies, pushed packs, its git repository: ${a.repoObjects} objects) ` +
      `for every encoded form of every canary: ${a.canaryFound ? `FOUND in ${a.findings.map((f) => `${f.in} (${f.label}, ${f.variant})`).join(', ')}` : 'nothing containing a canary'}`,
    `outside the zone: ${result.outsideClean ? 'no file carries a canary' : 'A CANARY LANDED THERE'}`,
    `leak check self-test: ${result.checkerSelfTest ? 'finds planted canaries' : 'FAILED'}; event log hash chain: ${result.eventsVerified ? 'intact' : 'BROKEN'}`,
    `took ${result.seconds} s`,
    result.ok ? 'every route was stopped; no canary left the session.' : 'DEMO FAILED: see the rows above.',
  ];
  return lines.join('\n');
}

export default class Demo extends GrithCommand {
  static override summary = 'Watch grith stop a compromised agent, in a throw-away home (nothing of yours is touched)';
  static override description = `Plants canaries (decoy .env, .aws/credentials, .npmrc in a mounted workspace; variables in the
session), starts a local attacker on 127.0.0.1 (HTTP, HTTPS, git), and runs a scripted compromised agent through
grith shell: curl, git push, Python, Node, a copy out of the zone, env -i, DNS-style names, gzip, base64, hex,
shell expansion. Prints which guard stopped each route and what the attacker received.
Exit 0 only if every route was stopped and nothing the attacker received contains a canary. Everything it starts
is removed at the end, also on Ctrl-C.`;
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --json'];
  static override usesHome = false;

  async run(): Promise<void> {
    await this.parse(Demo);
    const json = this.jsonMode();
    const say = (s: string): void => {
      if (!json) process.stdout.write(s + '\n');
    };
    let result: DemoResult;
    try {
      result = await runDemo({
        step: (text) => say(`grith demo: ${text}`),
        row: (r, i, total) =>
          say(`  [${String(i + 1).padStart(2)}/${total}] ${r.verdict.padEnd(14)} ${guardText(r).padEnd(18)} ${r.route}`),
      });
    } catch (e) {
      if (e instanceof DemoInterruptedError) {
        process.stderr.write(`grith: ${e.message}\n`);
        process.exit(e.signal === 'SIGINT' ? 130 : e.signal === 'SIGTERM' ? 143 : 129);
      }
      throw e;
    }
    this.out(result, () => summary(result));
    if (!result.ok) this.exit(1);
  }
}
