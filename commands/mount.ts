// grith mount: serve SOURCE at MOUNTPOINT through FUSE with decoys and write scanning, in the foreground.
import { Args, Flags } from '@oclif/core';
import { stderrBanner } from '../src/session/banner.js';
import { GrithCommand } from '../src/cli/base-command.js';
import { table } from '../src/cli/canary-view.js';
import { InvalidInputError } from '../src/core/errors.js';
import { listMounts } from '../src/session/mount-admin.js';
import { startMountSession } from '../src/session/mount-session.js';
import { resolveHome } from '../src/store/home.js';

export default class Mount extends GrithCommand {
  static override summary = 'Mount a workspace through grith: decoy files served, every write checked for canaries';
  static override description = `Serves SOURCE at MOUNTPOINT (an empty folder) until Ctrl-C / SIGTERM / grith unmount.
Canaries with --decoy REL placements appear as MOUNTPOINT/REL (never written to SOURCE; git status does not
offer them). Reading one records canary.read. A write carrying a canary is denied (EACCES) outside the zone and
recorded as "canary staged" inside it (--zone-policy deny: denied there too). Default zone: the whole mount.`;
  static override examples = [
    '<%= config.bin %> mount ~/project /tmp/agent-view',
    '<%= config.bin %> mount ~/project /tmp/agent-view --zone src --zone test',
    '<%= config.bin %> mount --list',
    '<%= config.bin %> mount ~ /tmp/home-view --writable .npm --writable .cache --agent-state .claude',
  ];
  static override args = {
    source: Args.string({ description: 'workspace folder to serve' }),
    mountpoint: Args.string({ description: 'empty folder to mount it on' }),
  };
  static override flags = {
    quiet: Flags.boolean({ description: 'do not print a line on stderr for each canary fired or decoy read (the event log has them)', default: false }),
    zone: Flags.string({ description: 'working zone, relative to the mount (repeatable; default: the whole mount)', multiple: true, multipleNonGreedy: true }),
    'zone-policy': Flags.string({ description: 'what a canary write inside the zone gets', options: ['alert', 'deny'], default: 'alert' }),
    list: Flags.boolean({ description: 'list active grith mounts and exit', default: false }),
    writable: Flags.string({
      description: 'serve SOURCE read-only except this path (repeatable, relative to SOURCE): a change elsewhere is refused (EROFS) and recorded as write.refused; a canary written here is denied',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'REL',
    }),
    'shown-as': Flags.string({
      description: 'the path the mount is seen at by the programs using it (a sandbox binds it elsewhere): events name paths there',
      helpValue: 'PATH',
      hidden: true,
    }),
    session: Flags.string({ description: 'the grith shell session this mount serves (its events carry it)', hidden: true }),
    'agent-state': Flags.string({
      description: 'with --writable: a writable path that is an agent\'s own state (repeatable); a canary written here is recorded as canary.persisted, not refused',
      multiple: true,
      multipleNonGreedy: true,
      helpValue: 'REL',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Mount);
    const home = resolveHome();
    if (flags.list) {
      const mounts = await listMounts(home);
      this.out({ mounts }, () =>
        mounts.length === 0
          ? 'no grith mounts'
          : table([
              ['MOUNTPOINT', 'SOURCE', 'STATE', 'PID', 'ZONE', 'POLICY', 'SINCE'],
              ...mounts.map((m) => [m.mountpoint, m.source, m.state, String(m.pid), m.zones.join(',') || '(all)', m.zonePolicy, m.startedAt]),
            ]),
      );
      return;
    }
    if (!args.source || !args.mountpoint) throw new InvalidInputError('grith mount needs SOURCE and MOUNTPOINT', 'see grith mount --help');
    const session = await startMountSession({
      onRecorded: stderrBanner(flags.quiet),
      home,
      source: args.source,
      mountpoint: args.mountpoint,
      zones: flags.zone ?? [],
      zonePolicy: flags['zone-policy'] as 'alert' | 'deny',
      writable: flags.writable,
      agentState: flags['agent-state'],
      shownAt: flags['shown-as'],
      session: flags.session,
    });
    const r = session.ready;
    if (this.jsonMode()) process.stdout.write(JSON.stringify({ mounted: r }) + '\n');
    else {
      process.stdout.write(
        `grith: serving ${r.source} at ${r.mountpoint} (zone: ${r.zones.join(', ') || 'whole mount'}, policy ${r.zonePolicy}, ` +
          `${r.decoys.length} decoy${r.decoys.length === 1 ? '' : 's'})${r.cleanedStale ? ' — cleaned a dead mount first' : ''}; Ctrl-C to unmount\n`,
      );
      if (r.storeError) process.stderr.write(`grith: warning: ${r.storeError.message} — every write is refused until it is fixed\n`);
    }
    const reason = await session.done;
    if (this.jsonMode()) process.stdout.write(JSON.stringify({ unmounted: { mountpoint: r.mountpoint, reason } }) + '\n');
    else process.stdout.write(`grith: unmounted ${r.mountpoint}\n`);
  }
}
