// What each format module exports: a TokenFormat plus how to find the random core of its companions.
import { InvalidInputError } from '../errors.js';
import type { TokenFormat } from './types.js';

export interface FormatDef extends TokenFormat {
  /**
   * Random core of a companion (e.g. the 16 characters after AKIA in an AWS access key id). Absent: the
   * companion is random throughout and is its own core.
   */
  companionCore?(name: string, value: string): string;
}

/** core() was handed something that is not this format's token. The value itself never goes into the message. */
export function notThisFormat(format: TokenFormat, what = 'value'): InvalidInputError {
  return new InvalidInputError(
    `${what} does not have the shape of a ${format.title}; cannot derive its random core`,
    `the canary's format (${format.id}) and its stored value disagree; rotate the canary to mint a fresh value`,
  );
}

/** The random core as a capture group of the format's shape; a value without that shape is not this format's token. */
export function coreFromShape(shape: RegExp, value: string, format: TokenFormat, group = 1): string {
  const m = shape.exec(value);
  if (!m) throw notThisFormat(format);
  return m[group]!;
}
