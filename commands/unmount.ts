// grith unmount: stop a grith mount, or clean one whose process died.
import { Args } from '@oclif/core';
import { GrithCommand } from '../src/cli/base-command.js';
import { unmountPath } from '../src/session/mount-admin.js';
import { resolveHome } from '../src/store/home.js';

export default class Unmount extends GrithCommand {
  static override summary = 'Unmount a grith mount (also one whose grith process was killed)';
  static override examples = ['<%= config.bin %> unmount /tmp/agent-view'];
  static override args = { mountpoint: Args.string({ description: 'the mount point', required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(Unmount);
    const r = await unmountPath(resolveHome(), args.mountpoint);
    this.out(r, () =>
      r.how === 'stopped'
        ? `unmounted ${r.mountpoint} (grith mount pid ${r.pid} stopped)`
        : r.how === 'forced'
          ? `unmounted ${r.mountpoint} (its grith process was gone; detached)`
          : `${r.mountpoint} was not mounted; removed its stale record`,
    );
  }
}
