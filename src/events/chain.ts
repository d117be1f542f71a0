// The hash-chain rule of events.jsonl, and the line-by-line check of a whole log against it.
//
// Line n (1-based) is a JSON object with seq === n and prevHash === hash of line n-1 (64 zeros for line 1).
// Two versions of line exist:
//   - keyed (has "kid"): hash = hex(HMAC-SHA256(chainKey[kid], prevHash + canonicalJson(line without "hash")));
//   - legacy (no "kid", written before grith keyed its chain): hash = hex(SHA-256(prevHash + canonicalJson(...))).
// canonicalJson sorts object keys at every depth, has no whitespace and omits undefined values. The hashed object
// includes seq, kid and prevHash, so a line cannot be moved, re-keyed or re-parented. Legacy lines may only form a
// prefix of the log: once one keyed line exists, an unkeyed line after it is a downgrade and breaks the chain.
// Without the key, nobody can write a keyed line that verifies — so deleting or recomputing lines shows, and the
// signed head checkpoint (checkpoint.ts) shows a cut tail.
import { createHash, createHmac } from 'node:crypto';
import type { GrithEvent } from './types.js';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with sorted object keys at every depth and no whitespace: the byte-stable form that gets hashed. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** Legacy (unkeyed) rule: hash = hex(SHA-256(prevHash + canonicalJson(event without "hash"))). */
export function eventHash(event: Omit<GrithEvent, 'hash'> | GrithEvent): string {
  const { hash: _ignored, ...rest } = event as GrithEvent;
  return createHash('sha256').update(rest.prevHash + canonicalJson(rest), 'utf8').digest('hex');
}

/** Keyed rule: hash = hex(HMAC-SHA256(key, prevHash + canonicalJson(event without "hash"))). */
export function keyedEventHash(event: Omit<GrithEvent, 'hash'> | GrithEvent, key: Buffer): string {
  const { hash: _ignored, ...rest } = event as GrithEvent;
  return createHmac('sha256', key).update(rest.prevHash + canonicalJson(rest), 'utf8').digest('hex');
}

export interface ChainBreak {
  ok: false;
  line: number;
  reason: string;
}

export interface ChainOk {
  ok: true;
  count: number;
  /** Lines written before keying (a prefix). */
  legacy: number;
  /** seq of the first keyed line, or null when none is keyed. */
  keyedFrom: number | null;
  /** hash of every line, index = seq - 1 (what the checkpoint and sink witnesses are compared with). */
  hashes: string[];
}

export type ChainResult = ChainOk | ChainBreak;

/** Check a whole log text against the chain rule. keys: chain keys by kid (a missing kid breaks its first line). */
export function verifyChainText(text: string, keys: ReadonlyMap<string, Buffer>): ChainResult {
  const { lines, complete } = splitLines(text);
  let prev = GENESIS_HASH;
  let keyedFrom: number | null = null;
  const hashes: string[] = [];
  const broken = (line: number, reason: string): ChainBreak => ({ ok: false, line, reason });
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    if (i === lines.length - 1 && !complete) return broken(n, 'line is cut off (no newline at the end)');
    const raw = lines[i]!;
    if (raw.trim() === '') return broken(n, 'empty line');
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      return broken(n, 'not valid JSON');
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return broken(n, 'not a JSON object');
    const ev = obj as Partial<GrithEvent>;
    if (typeof ev.hash !== 'string' || typeof ev.prevHash !== 'string' || typeof ev.seq !== 'number') {
      return broken(n, 'missing seq, prevHash or hash');
    }
    if (ev.seq !== n) return broken(n, `seq is ${ev.seq}, expected ${n} (line deleted, inserted or moved)`);
    if (ev.prevHash !== prev) return broken(n, 'prevHash does not match the previous line');
    if (ev.kid === undefined) {
      if (keyedFrom !== null) return broken(n, `unkeyed line after keyed lines (keyed since line ${keyedFrom}): rewritten without the key`);
      if (eventHash(ev as GrithEvent) !== ev.hash) return broken(n, 'hash does not match the content (line edited)');
    } else {
      const key = typeof ev.kid === 'string' ? keys.get(ev.kid) : undefined;
      if (!key) return broken(n, `chain key "${String(ev.kid)}" is not in the keys folder: this line cannot be verified`);
      if (keyedEventHash(ev as GrithEvent, key) !== ev.hash) {
        return broken(n, 'keyed hash does not match the content (line edited or forged without the key)');
      }
      keyedFrom ??= n;
    }
    hashes.push(ev.hash);
    prev = ev.hash;
  }
  return { ok: true, count: lines.length, legacy: keyedFrom === null ? lines.length : keyedFrom - 1, keyedFrom, hashes };
}

/** Lines of a log; `complete` is false when the text does not end with a newline (the last line is cut off). */
export function splitLines(text: string): { lines: string[]; complete: boolean } {
  if (text === '') return { lines: [], complete: true };
  const complete = text.endsWith('\n');
  const lines = text.split('\n');
  if (complete) lines.pop();
  return { lines, complete };
}
