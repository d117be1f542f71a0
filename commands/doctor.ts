// grith doctor: one line per requirement (ok / missing / how to fix); --fix builds native parts and fixes modes.
import { Flags } from '@oclif/core';
import { GrithCommand } from '../src/cli/base-command.js';
import type { CheckResult } from '../src/doctor/check.js';
import { runDoctor, type DoctorReport } from '../src/doctor/run-doctor.js';
import { resolveHome } from '../src/store/home.js';

function line(c: CheckResult, width: number): string {
  return `${c.status.padEnd(8)} ${c.title.padEnd(width)} ${c.detail}${c.fix ? ` — fix: ${c.fix}` : ''}`;
}

function render(r: DoctorReport): string {
  // Long titles (a sink's URL) do not push every other line to the right.
  const width = Math.min(22, Math.max(...r.checks.map((c) => c.title.length)));
  const out = [`grith doctor: grith in ${r.root}, home ${r.home}`];
  for (const f of r.fixes ?? []) {
    out.push(`${f.ok ? 'fixed' : 'not fixed'}: ${f.action}`);
    if (!f.ok && f.output) out.push(...f.output.split('\n').slice(-15).map((l) => `  | ${l}`));
  }
  out.push(...r.checks.map((c) => line(c, width)));
  const missing = r.checks.filter((c) => c.status === 'missing');
  const fixable = r.fixes === undefined && missing.some((c) => /grith doctor --fix/.test(c.fix ?? ''));
  out.push(
    missing.length === 0
      ? 'everything a grith session needs is there'
      : `${missing.length} requirement${missing.length === 1 ? '' : 's'} missing: ${missing.map((c) => c.title).join(', ')}` +
          (fixable ? ' (grith doctor --fix builds what it can in place)' : ''),
  );
  return out.join('\n');
}

export default class Doctor extends GrithCommand {
  static override summary = 'Check everything a grith session needs on this machine; --fix builds what is missing in place';
  static override description = `One line per requirement: ok, missing (a session cannot run until it is fixed) or warn, with how
to fix it. Checks Node.js, the FUSE device, fusermount3, libfuse 2, the patched FUSE binding, the exec guard library,
node-pty, bubblewrap and unprivileged user namespaces (the sandboxed session), the home folder's mode, the canary
store, the proxy CA (key present, mode 0600, expiry) and whether each alert sink can be reached.
--fix builds the native parts in grith's own folder (needs a C/C++ compiler, make, python3, patch) and tightens the
modes of the home folder and the CA key; it never deletes anything.
Exit status: 0 when everything a session needs is there, 1 when something is missing, 2 on error.`;
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --fix', '<%= config.bin %> doctor --json | jq ".checks[] | select(.status != \\"ok\\")"'];
  static override usesHome = false;
  static override flags = {
    fix: Flags.boolean({ description: 'build the native parts in place and fix the home and CA key modes (deletes nothing)', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Doctor);
    const json = this.jsonMode();
    const report = await runDoctor({
      home: resolveHome(),
      fix: flags.fix,
      onFix: (action) => {
        if (!json) process.stderr.write(`grith doctor: ${action}…\n`);
      },
    });
    this.out(report, () => render(report));
    if (!report.ok) this.exit(1);
  }
}
