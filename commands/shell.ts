// grith shell: run a shell, an agent program, or one command inside a guarded session (exec guard, proxy, canary env).
import { Flags } from '@oclif/core';
import { GrithCommand } from '../src/cli/base-command.js';
import { InvalidInputError } from '../src/core/errors.js';
import { runShellSession, type SessionMountSpec, type ShellMode } from '../src/session/shell/session.js';
import { resolveHome } from '../src/store/home.js';

export default class Shell extends GrithCommand {
  static override summary = 'Run a shell, a program or one command in a guarded session';
  static override description = `Every program started in the session — children of children, env -i, subprocess with
env={}, xargs, node/python spawns — has its argv checked against the canary store before it runs; a hit refuses the exec
and records a canary.fired event. The session routes HTTP(S) through grith's proxy (unless --no-proxy) and sets the
canaries placed with --env NAME. With -c, stdout, stderr and exit status behave like bash -c.
Exit status: the shell's or program's own; 126 when -c CMD itself carries a canary; 137 when a terminate canary
ended the session.`;
  static override examples = [
    '<%= config.bin %> shell',
    '<%= config.bin %> shell -- claude',
    `<%= config.bin %> shell -c 'npm test'`,
    '<%= config.bin %> shell --mount ~/project:/tmp/agent-ws -- codex',
    '<%= config.bin %> shell --mount ~/project:/tmp/agent-ws --zone src --zone test --zone-policy deny -- claude',
  ];
  static override strict = false;
  static override flags = {
    command: Flags.string({ char: 'c', description: 'run this command with bash -c (no PTY) and exit with its status' }),
    mount: Flags.string({ description: 'mount SRC at DST through grith mount and start the session in DST', helpValue: 'SRC:DST' }),
    zone: Flags.string({
      description: 'with --mount: working zone relative to DST (repeatable; default the whole mount); canary writes outside it are denied',
      multiple: true,
      multipleNonGreedy: true,
      dependsOn: ['mount'],
    }),
    'zone-policy': Flags.string({
      description: 'with --mount: what a canary write inside the zone gets',
      options: ['alert', 'deny'],
      dependsOn: ['mount'],
    }),
    'no-proxy': Flags.boolean({ description: 'do not start the proxy or set proxy variables', default: false }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Shell);
    const rest = (argv as string[]).filter((a) => a !== '--json');
    let mode: ShellMode;
    if (flags.command !== undefined) mode = { kind: 'command', command: flags.command, positional: rest };
    else if (rest.length > 0) mode = { kind: 'program', file: rest[0]!, args: rest.slice(1) };
    else mode = { kind: 'interactive' };
    let mount: SessionMountSpec | undefined;
    if (flags.mount !== undefined) {
      const m = /^(.+?):(.+)$/.exec(flags.mount);
      if (!m) throw new InvalidInputError(`--mount expects SRC:DST, got "${flags.mount}"`, 'e.g. --mount ./project:/tmp/ws');
      mount = {
        source: m[1]!,
        target: m[2]!,
        zones: flags.zone,
        zonePolicy: flags['zone-policy'] as SessionMountSpec['zonePolicy'],
      };
    }
    const code = await runShellSession({ home: resolveHome(), mode, proxy: !flags['no-proxy'], mount });
    process.exitCode = code;
    if (code !== 0) this.exit(code);
  }
}
