// grith canary remove: forget a canary and delete the decoy files grith wrote (if unchanged).
import { Args } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { removeCanary } from '../../src/session/canary-ops.js';
import { resolveHome } from '../../src/store/home.js';

export default class CanaryRemove extends GrithCommand {
  static override summary = 'Remove a canary and the unchanged decoy files grith wrote for it';
  static override examples = ['<%= config.bin %> canary remove k3x9ab2q'];
  static override args = { id: Args.string({ description: 'canary id (or a unique prefix)', required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(CanaryRemove);
    const { canary, files } = await removeCanary(resolveHome(), args.id);
    this.out({ removed: canary.id, label: canary.label, files }, () =>
      [
        `removed ${canary.id} (${canary.label})`,
        ...files.map((f) =>
          f.action === 'removed' ? `  deleted ${f.path}` : `  kept ${f.path} (${f.state} since grith wrote it)`,
        ),
      ].join('\n'),
    );
  }
}
