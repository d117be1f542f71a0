// Safe handles for token values: a short fingerprint and a masked form, the only ways a value may be shown.
import { createHash } from 'node:crypto';

/** First 12 hex characters of SHA-256 of the value: enough to tell canaries apart, useless to an attacker. */
export function fingerprint(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 12);
}

/** `ghp_…a1b2` style: the non-secret provider prefix (up to the last `_`/`-` in the first 12 chars) and the last 4. */
export function maskValue(value: string): string {
  const firstLine = value.split('\n')[0] ?? '';
  if (value.includes('\n')) return `${firstLine.slice(0, 24)}…(${value.length} chars)`;
  const head = /^[A-Za-z]+[_-](?:[A-Za-z]+[_-])*/.exec(value.slice(0, 16))?.[0] ?? value.slice(0, 4);
  const prefix = head.length > 12 ? head.slice(0, 12) : head;
  return `${prefix}…${value.slice(-4)}`;
}

/** Replace every occurrence of any secret in text with its mask; used for argv, paths and URLs in events. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length === 0) continue;
    out = out.split(s).join(maskValue(s));
  }
  return out;
}
