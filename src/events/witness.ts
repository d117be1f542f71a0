// A remote sink as an independent witness: every delivered alert carries its seq and chain hash, so what a sink
// received (a syslog file, webhook or OTLP JSON bodies, `grith events --json` output…) can be held against the
// local log. A seq the sink saw but the log lacks is a cut tail; a hash that differs is a rewritten line.
import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../core/errors.js';
import { splitLines } from './chain.js';
import { readLogText } from './verify.js';

export interface Witnessed {
  seq: number;
  hash: string;
}

export interface AgainstReport {
  ok: boolean;
  file: string;
  /** Distinct events the file witnesses. */
  witnessed: number;
  matched: number;
  /** seqs whose hash in the file differs from the log's line. */
  differing: number[];
  /** seqs the file has and the log does not (the log ends before them). */
  missingFromLog: number[];
  logEnd: number;
  sinkEnd: number;
  reason?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

const SYSLOG_SD = /\[grith@32473 ([^\]]*)\]/;
const SLACK_CONTEXT = /#(\d+) · chain ([0-9a-f]{64})/;
const SLACK_CONTEXT_G = new RegExp(SLACK_CONTEXT.source, 'g');

function fromAttributes(attrs: unknown): Witnessed | null {
  if (!Array.isArray(attrs)) return null;
  let seq: number | null = null;
  let hash: string | null = null;
  for (const kv of attrs as { key?: string; value?: Record<string, unknown> }[]) {
    const v = kv?.value ?? {};
    if (kv?.key === 'grith.seq') seq = Number(v.intValue ?? v.stringValue);
    if (kv?.key === 'grith.hash' && typeof v.stringValue === 'string') hash = v.stringValue;
  }
  return seq !== null && Number.isInteger(seq) && hash && HEX64.test(hash) ? { seq, hash } : null;
}

/** Every {seq, hash} pair inside a JSON value: grith events, alert bodies, PagerDuty details, OTLP attributes. */
function walk(v: unknown, out: Witnessed[]): void {
  if (Array.isArray(v)) {
    for (const x of v) walk(x, out);
    return;
  }
  if (typeof v === 'string') {
    // A chat message's context line: "#12 · chain <hash>".
    for (const m of v.matchAll(SLACK_CONTEXT_G)) out.push({ seq: Number(m[1]), hash: m[2]! });
    return;
  }
  if (v === null || typeof v !== 'object') return;
  const o = v as Record<string, unknown>;
  if (Number.isInteger(o.seq) && typeof o.hash === 'string' && HEX64.test(o.hash)) {
    out.push({ seq: o.seq as number, hash: o.hash });
    return;
  }
  const fromOtlp = fromAttributes(o.attributes);
  if (fromOtlp) {
    out.push(fromOtlp);
    return;
  }
  for (const x of Object.values(o)) walk(x, out);
}


export function witnessesIn(text: string): Witnessed[] {
  const out: Witnessed[] = [];
  try {
    walk(JSON.parse(text), out);
    return out;
  } catch {
    // not one JSON document: line by line
  }
  for (const line of splitLines(text).lines) {
    const sd = SYSLOG_SD.exec(line);
    if (sd) {
      const seq = /\bseq="(\d+)"/.exec(sd[1]!)?.[1];
      const hash = /\bhash="([0-9a-f]{64})"/.exec(sd[1]!)?.[1];
      if (seq && hash) out.push({ seq: Number(seq), hash });
      continue;
    }
    const jsonStart = line.indexOf('{');
    if (jsonStart >= 0) {
      try {
        walk(JSON.parse(line.slice(jsonStart)), out);
        continue;
      } catch {
        // fall through
      }
    }
    const slack = SLACK_CONTEXT.exec(line);
    if (slack) out.push({ seq: Number(slack[1]), hash: slack[2]! });
  }
  return out;
}

export async function verifyAgainst(home: string, file: string): Promise<AgainstReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 'give the file a sink received (syslog output, webhook or OTLP JSON bodies)');
  }
  const seen = new Map<number, string>();
  for (const w of witnessesIn(text)) seen.set(w.seq, w.hash);
  const logHashes = new Map<number, string>();
  for (const line of splitLines((await readLogText(home)) ?? '').lines) {
    try {
      const ev = JSON.parse(line) as { seq?: number; hash?: string };
      if (Number.isInteger(ev.seq) && typeof ev.hash === 'string') logHashes.set(ev.seq!, ev.hash);
    } catch {
      // a damaged line cannot match anything: its seq shows up as differing or missing
    }
  }
  const logEnd = logHashes.size === 0 ? 0 : Math.max(...logHashes.keys());
  const r: AgainstReport = { ok: true, file, witnessed: seen.size, matched: 0, differing: [], missingFromLog: [], logEnd, sinkEnd: seen.size ? Math.max(...seen.keys()) : 0 };
  for (const [seq, hash] of [...seen].sort((a, b) => a[0] - b[0])) {
    const mine = logHashes.get(seq);
    if (mine === undefined) r.missingFromLog.push(seq);
    else if (mine !== hash) r.differing.push(seq);
    else r.matched++;
  }
  const why: string[] = [];
  if (r.witnessed === 0) why.push(`${file} holds no grith alert (no seq and chain hash found)`);
  if (r.missingFromLog.length) why.push(`the sink saw ${r.missingFromLog.length} event(s) the log does not have (seq ${span(r.missingFromLog)}): the log was cut`);
  if (r.differing.length) why.push(`${r.differing.length} event(s) differ from what the sink saw (seq ${span(r.differing)}): the log was rewritten`);
  if (why.length) {
    r.ok = false;
    r.reason = why.join('; ');
  }
  return r;
}

function span(seqs: number[]): string {
  return seqs.length <= 5 ? seqs.join(', ') : `${seqs.slice(0, 3).join(', ')} … ${seqs[seqs.length - 1]}`;
}
