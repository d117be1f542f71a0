// grith canary rotate: new value, same id; grith's own unchanged decoy files are rewritten.
import { Args } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { canaryView } from '../../src/cli/canary-view.js';
import { rotateCanary } from '../../src/session/canary-ops.js';
import { resolveHome } from '../../src/store/home.js';

export default class CanaryRotate extends GrithCommand {
  static override summary = 'Replace a canary value, keeping its id; the old value stops matching';
  static override description =
    'Decoy files grith wrote are rewritten when unchanged since; files you edited are left alone and reported.';
  static override examples = ['<%= config.bin %> canary rotate k3x9ab2q'];
  static override args = { id: Args.string({ description: 'canary id (or a unique prefix)', required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(CanaryRotate);
    const { canary, files } = await rotateCanary(resolveHome(), args.id);
    const view = canaryView(canary, false);
    this.out({ canary: view, files }, () =>
      [
        `rotated ${view.id} (${view.label}): new value ${view.value}, fingerprint ${view.fingerprint}`,
        ...files.map((f) =>
          f.action === 'rewritten' ? `  rewrote ${f.path}` : `  kept ${f.path} (${f.state} since grith wrote it)`,
        ),
      ].join('\n'),
    );
  }
}
