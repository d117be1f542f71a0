// grith canary list: every canary, masked unless --reveal.
import { Flags } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { canaryView, placementText, table } from '../../src/cli/canary-view.js';
import { CanaryStore } from '../../src/store/canary-store.js';
import { resolveHome } from '../../src/store/home.js';

export default class CanaryList extends GrithCommand {
  static override summary = 'List canaries (values masked unless --reveal)';
  static override examples = ['<%= config.bin %> canary list', '<%= config.bin %> canary list --json'];
  static override flags = {
    reveal: Flags.boolean({ description: 'show full token values (careful: they are the secrets)', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(CanaryList);
    const store = await CanaryStore.open(resolveHome(), { create: true });
    const views = (await store.list()).map((c) => canaryView(c, flags.reveal));
    this.out(views, () => {
      if (views.length === 0) return 'no canaries yet — add one with: grith canary add --format aws --decoy .aws/credentials';
      return table([
        ['ID', 'FORMAT', 'LABEL', 'VALUE', 'FIRES', 'PLACEMENTS'],
        ...views.map((v) => [
          v.id,
          v.format,
          v.label,
          v.value,
          String(v.fires),
          v.placements.map(placementText).join(', ') || '-',
        ]),
      ]);
    });
  }
}
