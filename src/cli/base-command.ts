// Shared command plumbing: a --json flag, one-line errors (or a JSON error object) and exit codes scripts can trust.
import { Command, Flags, Errors } from '@oclif/core';
import { existsSync } from 'node:fs';
import { GrithError, InsideSessionError, isGrithError } from '../core/errors.js';
import { INSIDE_MARKER } from '../session/shell/sandbox.js';
import { assertHomeSafe, resolveHome } from '../store/home.js';
import { usagePayload, type ArgDef, type FlagDef } from './usage-error.js';

export abstract class GrithCommand extends Command {
  static override enableJsonFlag = false;
  static override baseFlags = {
    json: Flags.boolean({ description: 'print machine-readable JSON instead of text', default: false }),
  };
  /** Commands that read or write $GRITH_HOME refuse one others can write before doing anything (doctor reports it). */
  static usesHome = true;

  protected jsonMode(): boolean {
    return this.argv.includes('--json');
  }

  override async init(): Promise<void> {
    await super.init();
    if ((this.ctor as unknown as typeof GrithCommand).usesHome && !this.argv.includes('--help')) {
      // Inside a sandboxed session grith's state is gone: say so, rather than act on an empty home.
      if (existsSync(INSIDE_MARKER)) throw new InsideSessionError(`grith ${this.id?.replace(/:/g, ' ') ?? ''}`.trim());
      await assertHomeSafe(resolveHome());
    }
  }

  /** Print a value as JSON (with --json) or as text lines. */
  protected out(json: unknown, text: () => string): void {
    if (this.jsonMode()) process.stdout.write(JSON.stringify(json, null, 2) + '\n');
    else {
      const t = text();
      if (t.length > 0) process.stdout.write(t.endsWith('\n') ? t : t + '\n');
    }
  }

  /**
   * A command that recorded events waits (at most 2 s) for the alert sinks to take them, then leaves the rest to the
   * background deliverer and says "alert delivery pending" on stderr.
   */
  protected override async finally(err: Error | undefined): Promise<unknown> {
    try {
      const { appendedInThisProcess } = await import('../events/event-log.js');
      if (appendedInThisProcess().size > 0) await (await import('../events/delivery/settle.js')).settleBeforeExit();
    } catch {
      // delivery trouble never changes a command's outcome; `grith alerts status` shows it
    }
    return super.finally(err);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own exit (this.exit) must pass through untouched.
    if (err instanceof Errors.ExitError) throw err;
    let code = 2;
    let payload: { code: string; message: string; hint?: string };
    if (isGrithError(err)) {
      code = err.exitCode;
      payload = (err as GrithError).toJSON();
    } else if (err instanceof Errors.CLIError || (err as { oclif?: unknown }).oclif) {
      // Flag/argument parse errors from oclif: one line naming the flag, the problem and the expected form.
      const ctor = this.ctor as unknown as { flags?: Record<string, FlagDef>; baseFlags?: Record<string, FlagDef>; args?: Record<string, ArgDef> };
      payload = usagePayload(String(err.message), {
        command: this.id?.replace(/:/g, ' ') ?? '',
        flags: { ...ctor.baseFlags, ...ctor.flags },
        args: ctor.args ?? {},
      });
    } else {
      payload = { code: 'INTERNAL', message: err.message || String(err) };
    }
    writeError(payload, this.jsonMode());
    process.exitCode = code;
    return this.exit(code);
  }
}

/** One line on stderr, or {"error": {...}} on stdout with --json. */
export function writeError(payload: { code: string; message: string; hint?: string }, json: boolean): void {
  if (json) process.stdout.write(JSON.stringify({ error: payload }, null, 2) + '\n');
  else process.stderr.write(`grith: ${payload.message}${payload.hint ? ` (${payload.hint})` : ''}\n`);
}
