// grith canary add: mint a realistic decoy credential and plant it.
import { Flags } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { canaryDetail, canaryView } from '../../src/cli/canary-view.js';
import { addCanary } from '../../src/session/canary-ops.js';
import { resolveHome } from '../../src/store/home.js';

export default class CanaryAdd extends GrithCommand {
  static override summary = 'Mint a canary credential and plant it as a file, a mount decoy or an environment variable';
  static override description = `The value is random, realistic and valid for its format (checksums, signatures), and is
recorded in the store ($GRITH_HOME/store.json). Every running guard picks it up within a second.
Placements (any number of each):
  --place PATH   write a real decoy file now (refuses to overwrite anything)
  --decoy REL    a virtual file every grith mount serves at MOUNTPOINT/REL; never written to disk
  --env NAME     a variable grith shell sets in the session
See the formats with: grith canary formats`;
  static override examples = [
    '<%= config.bin %> canary add --format aws --decoy .aws/credentials --label "prod deploy key"',
    '<%= config.bin %> canary add --format github-pat --env GITHUB_TOKEN --terminate',
    '<%= config.bin %> canary add --format database-url --place ./.env.production --json',
  ];
  static override flags = {
    format: Flags.string({ char: 'f', description: 'token format id (grith canary formats)', required: true }),
    label: Flags.string({ char: 'l', description: 'a name for this canary, shown in events' }),
    place: Flags.string({ description: 'write a real decoy file at PATH', multiple: true }),
    decoy: Flags.string({ description: 'serve a virtual decoy at MOUNTPOINT/REL in grith mounts', multiple: true }),
    env: Flags.string({ description: 'set environment variable NAME in grith shell sessions', multiple: true }),
    terminate: Flags.boolean({ description: 'end the whole grith shell session when this canary fires', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(CanaryAdd);
    const canary = await addCanary(resolveHome(), {
      format: flags.format,
      label: flags.label,
      place: flags.place,
      decoy: flags.decoy,
      env: flags.env,
      terminate: flags.terminate,
    });
    const view = canaryView(canary, false);
    this.out(view, () => `added canary ${view.id}\n${canaryDetail(view)}`);
  }
}
