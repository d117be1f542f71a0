// Exit statuses of a session and of the programs it runs, in bash's terms: scripts and agents read them.
import { constants } from 'node:os';

/** A terminate canary ended the session (as if SIGKILLed, which is what happened to it). */
export const TERMINATED_EXIT = 137;
/** The command itself carried a canary, or could not be started: bash's "cannot execute". */
export const DENIED_EXIT = 126;

const signalNumbers = constants.signals as Record<string, number>;

/** 128 + the signal's number, as a shell reports a child killed by it (1 when unknown). */
export function signalExit(signal: NodeJS.Signals | number | null | undefined): number {
  if (signal === null || signal === undefined || signal === 0) return 1;
  const n = typeof signal === 'number' ? signal : signalNumbers[signal];
  return n === undefined ? 1 : 128 + n;
}

/** A child's exit code, or the shell's number for the signal that ended it. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? signalExit(signal);
}
