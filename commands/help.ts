// grith help [COMMAND...]: the overview of commands, or one command's help (the same text as --help).
import { Args, loadHelpClass } from '@oclif/core';
import { GrithCommand } from '../src/cli/base-command.js';
import { InvalidInputError } from '../src/core/errors.js';

export default class Help extends GrithCommand {
  static override summary = 'Show the commands, or the help of one command';
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help canary add', '<%= config.bin %> help shell --json'];
  static override strict = false;
  static override usesHome = false;
  static override args = { command: Args.string({ description: 'a command or topic, e.g. canary add' }) };

  async run(): Promise<void> {
    const { argv } = await this.parse(Help);
    const words = (argv as string[]).filter((a) => a !== '--json');
    const id = words.join(':');
    const cmd = id ? this.config.findCommand(id) : undefined;
    if (id && !cmd && !this.config.findTopic(id)) {
      throw new InvalidInputError(`unknown command "${words.join(' ')}"`, 'see grith help for the commands');
    }
    if (this.jsonMode()) {
      const list = cmd ? [cmd] : this.config.commands.filter((c) => !c.hidden && (id === '' || c.id.startsWith(`${id}:`)));
      const view = list
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((c) => ({
          command: `${this.config.bin} ${c.id.split(':').join(' ')}`,
          summary: c.summary ?? c.description ?? '',
          ...(cmd
            ? {
                description: c.description ?? '',
                flags: Object.values(c.flags).map((f) => ({ name: f.name, type: f.type, description: f.description ?? '', required: Boolean(f.required) })),
                examples: (c.examples ?? []).map((e) => (typeof e === 'string' ? e : e.command).replace(/<%= config.bin %>/g, this.config.bin)),
              }
            : {}),
        }));
      this.out(cmd ? view[0] : view, () => '');
      return;
    }
    const HelpClass = await loadHelpClass(this.config);
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions).showHelp(words);
  }
}
