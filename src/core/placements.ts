// Validation of placement arguments (--decoy REL, --env NAME) and canary ids; pure so every guard agrees.
import { randomBytes } from 'node:crypto';
import { InvalidInputError } from './errors.js';

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** 8 characters from a 32-letter alphabet without look-alikes: 40 bits, plenty for a local store. */
export function newCanaryId(): string {
  const bytes = randomBytes(8);
  let id = '';
  for (const b of bytes) id += ID_ALPHABET[b & 31];
  return id;
}

/** A decoy path is relative to a mountpoint: no absolute path, no `..`, no empty segments, no NUL. */
export function normalizeDecoyRel(rel: string): string {
  if (rel.includes('\0')) throw new InvalidInputError('decoy path contains a NUL byte');
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (rel.startsWith('/') || parts.length === 0 || parts.some((p) => p === '..')) {
    throw new InvalidInputError(
      `invalid --decoy path "${rel}"`,
      'give a path relative to the mountpoint, e.g. --decoy .aws/credentials',
    );
  }
  return parts.join('/');
}

export function validateEnvName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new InvalidInputError(`invalid --env name "${name}"`, 'use letters, digits and _, e.g. --env AWS_SECRET_ACCESS_KEY');
  }
  return name;
}

export function validateLabel(label: string): string {
  const l = label.trim();
  if (l.length === 0 || l.length > 120 || /[\n\r\0]/.test(l)) {
    throw new InvalidInputError('a label is 1–120 characters on one line');
  }
  return l;
}
