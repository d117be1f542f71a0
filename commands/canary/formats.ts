// grith canary formats: the token formats grith can mint.
import { GrithCommand } from '../../src/cli/base-command.js';
import { table } from '../../src/cli/canary-view.js';
import { FORMATS } from '../../src/core/formats/index.js';

export default class CanaryFormats extends GrithCommand {
  static override summary = 'List the token formats grith can mint';
  static override examples = ['<%= config.bin %> canary formats', '<%= config.bin %> canary formats --json'];

  async run(): Promise<void> {
    await this.parse(CanaryFormats);
    const rows = FORMATS.map((f) => {
      const d = f.decoy(f.generate(), 'example');
      return { id: f.id, title: f.title, decoyFile: d.defaultName };
    });
    this.out(rows, () => table([['FORMAT', 'DESCRIPTION', 'TYPICAL FILE'], ...rows.map((r) => [r.id, r.title, r.decoyFile])]));
  }
}
