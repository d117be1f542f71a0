// grith canary show: one canary in full (value masked unless --reveal).
import { Args, Flags } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { canaryDetail, canaryView } from '../../src/cli/canary-view.js';
import { CanaryStore } from '../../src/store/canary-store.js';
import { resolveHome } from '../../src/store/home.js';

export default class CanaryShow extends GrithCommand {
  static override summary = 'Show one canary';
  static override examples = ['<%= config.bin %> canary show k3x9ab2q', '<%= config.bin %> canary show k3x9 --reveal'];
  static override args = { id: Args.string({ description: 'canary id (or a unique prefix of 4+ characters)', required: true }) };
  static override flags = {
    reveal: Flags.boolean({ description: 'show the full token value', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CanaryShow);
    const store = await CanaryStore.open(resolveHome(), { create: false });
    const view = canaryView(await store.get(args.id), flags.reveal);
    this.out(view, () => canaryDetail(view));
  }
}
