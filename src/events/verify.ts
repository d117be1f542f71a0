// `grith events --verify`: the chain rule line by line (chain.ts), then the log's head against the signed
// checkpoint (checkpoint.ts), so deleted or truncated tails and chains recomputed without the key are reported.
import { readFile } from 'node:fs/promises';
import { StoreUnavailableError } from '../core/errors.js';
import { errText, eventsPath } from '../store/home.js';
import { readKeyring } from './chain-key.js';
import { verifyChainText, type ChainOk } from './chain.js';
import { checkpointSigned, readCheckpoint, type Checkpoint } from './checkpoint.js';

export interface VerifyReport {
  ok: boolean;
  /** Lines in the log. */
  count: number;
  keyed: number;
  legacy: number;
  checkpoint: { seq: number; ts: string } | null;
  /** First broken line (absent when the break is the log's end, e.g. a cut tail). */
  line?: number;
  reason?: string;
  notes: string[];
}

export async function readLogText(home: string): Promise<string | null> {
  const file = eventsPath(home);
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StoreUnavailableError(file, errText(e));
  }
}

/** The chain's per-line hashes when it verifies, for comparisons (sink witnesses). */
export async function verifiedChain(home: string): Promise<{ report: VerifyReport; chain: ChainOk | null }> {
  const text = (await readLogText(home)) ?? '';
  const keys = await readKeyring(home);
  const chain = verifyChainText(text, keys);
  if (!chain.ok) {
    return { report: { ok: false, count: text.split('\n').length - 1, keyed: 0, legacy: 0, checkpoint: null, line: chain.line, reason: chain.reason, notes: [] }, chain: null };
  }
  const base = { count: chain.count, keyed: chain.count - chain.legacy, legacy: chain.legacy, notes: [] as string[] };
  const cpRead = await readCheckpoint(home);
  const bad = (reason: string, checkpoint: Checkpoint | null, line?: number): { report: VerifyReport; chain: ChainOk | null } => ({
    report: { ok: false, ...base, checkpoint: checkpoint && { seq: checkpoint.seq, ts: checkpoint.ts }, ...(line ? { line } : {}), reason },
    chain,
  });
  if (cpRead.state === 'unreadable') return bad(`the signed checkpoint keys/head.json is unreadable: ${cpRead.reason}`, null);
  if (cpRead.state === 'absent') {
    if (chain.keyedFrom !== null) return bad('the signed checkpoint keys/head.json is missing although the log is keyed (deleted?)', null);
    if (keys.size > 0 && chain.count > 0) {
      return bad('a chain key exists but no line is keyed and there is no checkpoint: the log was recomputed without the key', null);
    }
    if (chain.count > 0) {
      base.notes.push('unkeyed log (written before grith keyed its chain): a cut tail or a recomputed chain cannot be detected');
    }
    return { report: { ok: true, ...base, checkpoint: null }, chain };
  }
  const cp = cpRead.checkpoint;
  const key = keys.get(cp.kid);
  if (!key) return bad(`the checkpoint is signed with key "${cp.kid}", which is not in the keys folder`, cp);
  if (!checkpointSigned(cp, key)) return bad('the checkpoint signature is invalid (forged or damaged)', cp);
  if (chain.count < cp.seq) {
    const cut = cp.seq - chain.count;
    return bad(`the log ends at seq ${chain.count} but the signed checkpoint records seq ${cp.seq}: ${cut} event(s) cut from the end`, cp);
  }
  if (chain.hashes[cp.seq - 1] !== cp.hash) {
    return bad(`line ${cp.seq} differs from the signed checkpoint: the chain was rewritten`, cp, cp.seq);
  }
  if (chain.keyedFrom !== cp.keyedFrom) {
    return bad(`keying began at line ${cp.keyedFrom} per the checkpoint, but the log's first keyed line is ${chain.keyedFrom ?? 'absent'}`, cp);
  }
  if (chain.count > cp.seq) base.notes.push(`the checkpoint is ${chain.count - cp.seq} event(s) behind the log (an append was interrupted)`);
  if (chain.legacy > 0) base.notes.push(`lines 1-${chain.legacy} were written before keying (plain SHA-256 chain)`);
  return { report: { ok: true, ...base, checkpoint: { seq: cp.seq, ts: cp.ts } }, chain };
}

export async function verifyEventLog(home: string): Promise<VerifyReport> {
  return (await verifiedChain(home)).report;
}
