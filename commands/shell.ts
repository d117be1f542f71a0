// grith shell: run a shell, an agent program, or one command inside a guarded session (exec guard, proxy, canary env).
import { Flags } from '@oclif/core';
import { GrithCommand } from '../src/cli/base-command.js';
import { existsSync } from 'node:fs';
import { InvalidInputError } from '../src/core/errors.js';
import { BASE_URL_VARS, DEFAULT_MODEL_HOSTS, endpointOfFlag } from '../src/core/model-endpoints.js';
import { AGENT_STATE } from '../src/session/shell/agent-state.js';
import { runShellSession, type SessionMountSpec, type ShellMode } from '../src/session/shell/session.js';
import { resolveHome } from '../src/store/home.js';

export default class Shell extends GrithCommand {
  static override summary = 'Run a shell, a program or one command in a guarded session';
  static override description = `Every program started in the session — children of children, env -i, subprocess with
env={}, xargs, node/python spawns — has its argv checked against the canary store before it runs; a hit refuses the exec
and records a canary.fired event. The session routes HTTP(S) through grith's proxy (unless --no-proxy) and sets the
canaries placed with --env NAME. With -c, stdout, stderr and exit status behave like bash -c.
Everything after -- is the program and its arguments, passed on untouched. The program gets a PTY when stdin and
stdout are a terminal, plain pipes otherwise (byte-exact output for an agent's JSON, a script read from stdin).
The model channel: an agent converses with its model about what it has read. A canary that the agent process itself
(found from the kernel, never from anything the session sets) sends to one of its model endpoints is recorded once
as canary.context and let through; the same bytes from any other process, or to any other host, are denied.
Exit status: the shell's or program's own; 126 when -c CMD itself carries a canary; 137 when a terminate canary
ended the session.`;
  static override examples = [
    '<%= config.bin %> shell',
    '<%= config.bin %> shell -- claude',
    `<%= config.bin %> shell -c 'npm test'`,
    '<%= config.bin %> shell --mount ~/project:/tmp/agent-ws -- codex',
    '<%= config.bin %> shell --mount ~/project:/tmp/agent-ws --zone src --zone test --zone-policy deny -- claude',
    '<%= config.bin %> shell --model-host llm.internal:8443 -- codex exec --json "fix the tests"',
    '<%= config.bin %> shell --model-channel deny --upstream-ca ~/corp-root.pem -- claude -p "summarise the README"',
  ];
  static override strict = false;
  /** Everything after `--`: the program and its arguments, passed on untouched (never parsed as grith's flags). */
  private program: string[] | null = null;

  override async init(): Promise<void> {
    const i = this.argv.indexOf('--');
    if (i >= 0) {
      this.program = this.argv.slice(i + 1);
      this.argv = this.argv.slice(0, i);
    }
    await super.init();
  }

  static override flags = {
    command: Flags.string({ char: 'c', description: 'run this command with bash -c (no PTY) and exit with its status' }),
    mount: Flags.string({
      description: 'the workspace: SRC served through grith mount (decoys, every write judged by the zone) and the session started in it; in the sandbox it is seen at SRC itself, or at DST when given',
      helpValue: 'SRC[:DST]',
    }),
    'no-sandbox': Flags.boolean({
      description: "run without the session's namespaces (where user namespaces are not allowed): grith's store and guards are then within the session's reach; says so and records guard.degraded",
      default: false,
    }),
    writable: Flags.string({
      description: 'in the sandbox: another path the program may change (repeatable); every write there is scanned and a canary refused',
      helpValue: 'PATH',
      multiple: true,
      multipleNonGreedy: true,
    }),
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
    'no-prompt': Flags.boolean({ description: 'interactive bash/zsh: leave the prompt as it is (it is marked "(grith) " otherwise)', default: false }),
    'model-host': Flags.string({
      description: `another model endpoint of the agent (repeatable): a canary the agent process itself sends there is recorded as canary.context and let through. Built in: ${DEFAULT_MODEL_HOSTS.join(', ')} (port 443), and the hosts of ${BASE_URL_VARS.join(', ')} when set`,
      helpValue: 'HOST[:PORT]',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'model-channel': Flags.string({
      description: 'what a canary the agent sends to its own model gets: alert (context, recorded, let through) or deny (the hard gate, as for any host)',
      options: ['alert', 'deny'],
      default: 'alert',
    }),
    'upstream-ca': Flags.string({
      description: 'a PEM CA that signs an upstream server (repeatable; a private registry, a corporate proxy); GRITH_UPSTREAM_CA=FILE[:FILE] does the same for agents that run grith-shell -c',
      helpValue: 'FILE',
      multiple: true,
      multipleNonGreedy: true,
    }),
    'watch-path': Flags.string({
      description: `a folder where the agent keeps its state (repeatable), scanned at the end of the session for canaries it wrote there (canary.persisted); ~/${AGENT_STATE.join(', ~/')} always are`,
      helpValue: 'DIR',
      multiple: true,
      multipleNonGreedy: true,
    }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Shell);
    const rest = this.program ?? (argv as string[]).filter((a) => a !== '--json');
    for (const h of flags['model-host'] ?? []) {
      if (!endpointOfFlag(h)) throw new InvalidInputError(`invalid --model-host "${h}"`, 'expected --model-host HOST[:PORT], e.g. --model-host llm.internal:8443');
    }
    for (const f of flags['upstream-ca'] ?? []) {
      if (!existsSync(f)) throw new InvalidInputError(`--upstream-ca ${f} does not exist`, 'expected --upstream-ca FILE, a PEM CA certificate');
    }
    let mode: ShellMode;
    if (flags.command !== undefined) mode = { kind: 'command', command: flags.command, positional: rest };
    else if (rest.length > 0) mode = { kind: 'program', file: rest[0]!, args: rest.slice(1) };
    else mode = { kind: 'interactive' };
    let mount: SessionMountSpec | undefined;
    if (flags.mount !== undefined) {
      const m = /^([^:]+)(?::(.+))?$/.exec(flags.mount);
      if (!m) throw new InvalidInputError(`--mount expects SRC or SRC:DST, got "${flags.mount}"`, 'e.g. --mount ./project or --mount ./project:/tmp/ws');
      if (m[2] === undefined && flags['no-sandbox']) {
        throw new InvalidInputError('--mount SRC without :DST needs the sandbox', 'give --mount SRC:DST with --no-sandbox');
      }
      mount = {
        source: m[1]!,
        ...(m[2] !== undefined ? { target: m[2] } : {}),
        zones: flags.zone,
        zonePolicy: flags['zone-policy'] as SessionMountSpec['zonePolicy'],
      };
    }
    const code = await runShellSession({
      home: resolveHome(),
      mode,
      proxy: !flags['no-proxy'],
      mount,
      modelHosts: flags['model-host'],
      modelChannel: flags['model-channel'] as 'alert' | 'deny',
      upstreamCa: flags['upstream-ca'],
      watchPaths: flags['watch-path'],
      sandbox: !flags['no-sandbox'],
      prompt: !flags['no-prompt'],
      writable: flags.writable,
    });
    process.exitCode = code;
    if (code !== 0) this.exit(code);
  }
}
