// The signed head checkpoint: $GRITH_HOME/keys/head.json records the seq and hash of the newest line, HMAC-signed
// with the chain key, rewritten (atomically) under the log's lock after every append. A log that ends before the
// checkpoint's seq lost its tail; a line at that seq with another hash was rewritten. It also records where keying
// began (keyedFrom), the migration marker for logs that started unkeyed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../store/atomic-write.js';
import { errText } from '../store/home.js';
import { keysDir, type ChainKey } from './chain-key.js';

export interface Checkpoint {
  v: 1;
  seq: number;
  hash: string;
  kid: string;
  /** seq of the first keyed line of this log. */
  keyedFrom: number;
  ts: string;
  mac: string;
}

export type CheckpointRead = { state: 'absent' } | { state: 'unreadable'; reason: string } | { state: 'ok'; checkpoint: Checkpoint };

export function checkpointPath(home: string): string {
  return path.join(keysDir(home), 'head.json');
}

function macOf(cp: Omit<Checkpoint, 'mac'>, key: Buffer): string {
  const text = ['grith-checkpoint-v1', cp.seq, cp.hash, cp.kid, cp.keyedFrom, cp.ts].join('\n');
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

export async function writeCheckpoint(home: string, key: ChainKey, head: { seq: number; hash: string; keyedFrom: number }): Promise<void> {
  const body: Omit<Checkpoint, 'mac'> = { v: 1, seq: head.seq, hash: head.hash, kid: key.kid, keyedFrom: head.keyedFrom, ts: new Date().toISOString() };
  await writeFileAtomic(checkpointPath(home), JSON.stringify({ ...body, mac: macOf(body, key.key) }) + '\n', 0o600);
}

export async function readCheckpoint(home: string): Promise<CheckpointRead> {
  let raw: string;
  try {
    raw = await readFile(checkpointPath(home), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    return { state: 'unreadable', reason: errText(e) };
  }
  try {
    const o = JSON.parse(raw) as Partial<Checkpoint>;
    if (
      o.v === 1 &&
      Number.isInteger(o.seq) &&
      typeof o.hash === 'string' &&
      typeof o.kid === 'string' &&
      Number.isInteger(o.keyedFrom) &&
      typeof o.ts === 'string' &&
      typeof o.mac === 'string'
    ) {
      return { state: 'ok', checkpoint: o as Checkpoint };
    }
  } catch {
    // fall through
  }
  return { state: 'unreadable', reason: 'not a grith checkpoint' };
}

/** True when the checkpoint's signature is valid under key. */
export function checkpointSigned(cp: Checkpoint, key: Buffer): boolean {
  const { mac, ...body } = cp;
  const want = Buffer.from(macOf(body, key), 'hex');
  const got = Buffer.from(/^[0-9a-f]{64}$/.test(mac) ? mac : '', 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}
