// Turns oclif's parse errors (several lines, whose first is often only "The following error occurred:") into one
// line that names the flag or argument, says what was wrong and shows the expected form.

export interface FlagDef {
  type?: string;
  description?: string;
  helpValue?: string | string[];
  options?: readonly string[];
  min?: number;
  max?: number;
}

export interface ArgDef {
  description?: string;
}

export interface UsageSpec {
  /** e.g. "canary add" */
  command: string;
  flags: Record<string, FlagDef>;
  args: Record<string, ArgDef>;
}

export interface UsagePayload {
  code: 'USAGE';
  message: string;
  hint: string;
  flag?: string;
  arg?: string;
  expected?: string;
}

/** `--port N (0 to 65535)`, `--zone-policy alert|deny`, `--format FORMAT`, `--reveal`. */
export function flagForm(name: string, def: FlagDef | undefined): string {
  if (!def) return `--${name}`;
  if (def.type === 'boolean') return `--${name}`;
  if (def.options && def.options.length > 0) return `--${name} ${def.options.join('|')}`;
  const value = Array.isArray(def.helpValue) ? def.helpValue.join(' ') : def.helpValue;
  if (def.type === 'integer' || def.min !== undefined || def.max !== undefined) {
    const range =
      def.min !== undefined && def.max !== undefined
        ? ` (${def.min} to ${def.max})`
        : def.min !== undefined
          ? ` (at least ${def.min})`
          : def.max !== undefined
            ? ` (at most ${def.max})`
            : '';
    return `--${name} ${value ?? 'N'}${range}`;
  }
  return `--${name} ${value ?? name.toUpperCase().replace(/-/g, '_')}`;
}

function described(form: string, def: { description?: string } | undefined): string {
  return def?.description ? `${form}: ${def.description}` : form;
}

/** The meaningful lines of an oclif parse message (without its preamble and "See more help" tail). */
function lines(message: string): string[] {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^The following errors? occurred:?$/.test(l) && !/^See more help with --help$/.test(l));
}

export function usagePayload(rawMessage: string, spec: UsageSpec): UsagePayload {
  const hint = `see grith ${spec.command} --help`.replace(/\s+/g, ' ');
  const ls = lines(rawMessage.replace(/^Error: /, ''));
  const text = ls.join('\n');
  const flag = (name: string, problem: string): UsagePayload => {
    const def = spec.flags[name];
    const expected = flagForm(name, def);
    return { code: 'USAGE', message: `${problem}; expected ${described(expected, def)}`, hint, flag: name, expected };
  };
  let m: RegExpExecArray | null;
  if ((m = /^Missing required flags? (\S+)/m.exec(text))) return flag(m[1]!.replace(/^--/, ''), `missing required flag --${m[1]!.replace(/^--/, '')}`);
  if ((m = /^Parsing --(\S+)\s*\n\s*Expected (.+?) but received: (.*)$/m.exec(text))) {
    return flag(m[1]!, `invalid --${m[1]} ${JSON.stringify(m[3])}: not ${m[2]}`);
  }
  if ((m = /^Expected --(\S+?)=(.*) to be one of: (.*)$/m.exec(text))) {
    return flag(m[1]!, `invalid --${m[1]} ${JSON.stringify(m[2])}: not one of ${m[3]}`);
  }
  if ((m = /^Flag --(\S+) expects a value/m.exec(text))) return flag(m[1]!, `--${m[1]} needs a value`);
  if ((m = /^--(\S+?)=.* cannot also be provided when using --(\S+)$/m.exec(text))) {
    return { code: 'USAGE', message: `--${m[1]} cannot be used together with --${m[2]}`, hint, flag: m[1] };
  }
  if ((m = /^All of the following must be provided when using --(\S+): (.*)$/m.exec(text))) {
    return { code: 'USAGE', message: `--${m[1]} needs ${m[2]} too`, hint, flag: m[1] };
  }
  if ((m = /^Nonexistent flags?: (.*)$/m.exec(text))) {
    const known = Object.keys(spec.flags).map((f) => `--${f}`).join(', ');
    return { code: 'USAGE', message: `unknown flag ${m[1]}${known ? `; known flags: ${known}` : ''}`, hint, flag: m[1]!.replace(/^-+/, '') };
  }
  if ((m = /^Missing \d+ required args?:\s*\n(\S+)/m.exec(text))) {
    const name = m[1]!;
    const expected = `grith ${spec.command} ${Object.keys(spec.args).map((a) => a.toUpperCase()).join(' ')}`.trim();
    return { code: 'USAGE', message: `missing argument ${described(name.toUpperCase(), spec.args[name])}; expected ${expected}`, hint, arg: name, expected };
  }
  if ((m = /^Unexpected arguments?: (.*)$/m.exec(text))) {
    return { code: 'USAGE', message: `unexpected argument ${m[1]}`, hint };
  }
  return { code: 'USAGE', message: ls.join('; ') || rawMessage, hint };
}
