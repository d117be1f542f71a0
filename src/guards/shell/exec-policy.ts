// Decides one exec: scan its argv for canaries, and describe a hit without ever carrying the token (masked argv).
import { basename } from 'node:path';
import { ALLOW, firesOf, failClosed, type Decision } from '../../core/decision.js';
import { oneLine } from '../../core/display.js';
import { maskSecrets, maskValue } from '../../core/fingerprint.js';
import type { Hit } from '../../core/matcher/types.js';
import type { CanarySnapshot } from '../guard-context.js';
import type { ExecRequest } from './exec-protocol.js';

/** The decision on one exec and the argv as events may show it: joined by spaces, every hit and secret masked. */
export interface ExecJudgement {
  decision: Decision;
  maskedArgv: string;
}

export function programName(req: Pick<ExecRequest, 'argv' | 'path'>): string {
  return oneLine(basename(req.argv[0] || req.path || '?'), 80);
}

/** Byte ranges [start, end) per argument that must be masked. */
type Ranges = Array<Array<[number, number, string]>>;

/** Map a hit in `parts joined by sepLen bytes` back onto per-argument ranges. */
function mapBack(parts: Buffer[], sepLen: number, hit: Hit, out: Ranges): void {
  let base = 0;
  for (let i = 0; i < parts.length; i++) {
    const end = base + parts[i].length;
    const s = Math.max(hit.start, base);
    const e = Math.min(hit.end, end);
    if (s < e) out[i].push([s - base, e - base, hit.variant]);
    base = end + sepLen;
  }
}

function maskArg(arg: Buffer, ranges: Array<[number, number, string]>): string {
  if (ranges.length === 0) return arg.toString('utf8');
  ranges.sort((a, b) => a[0] - b[0]);
  const pieces: string[] = [];
  let at = 0;
  for (const [s, e, variant] of ranges) {
    if (e <= at) continue;
    const from = Math.max(s, at);
    pieces.push(arg.toString('utf8', at, from));
    const text = arg.toString('utf8', from, e);
    // A plain token keeps its familiar mask (provider prefix + last 4); an encoded form shows only its variant.
    pieces.push(variant === 'plain' ? maskValue(text) : `«${variant}»`);
    at = e;
  }
  pieces.push(arg.toString('utf8', at));
  return pieces.join('');
}

export function maskArgv(argv: string[], hits: { joined: Hit[]; concat: Hit[] }, secrets: readonly string[]): string {
  const parts = argv.map((a) => Buffer.from(a, 'utf8'));
  const ranges: Ranges = parts.map(() => []);
  for (const h of hits.joined) mapBack(parts, 1, h, ranges);
  for (const h of hits.concat) mapBack(parts, 0, h, ranges);
  const masked = parts.map((p, i) => maskArg(p, ranges[i])).join(' ');
  return maskSecrets(masked, secrets);
}

/** Scan the argv (joined by spaces, and concatenated to catch a token split across arguments) and the path. */
export function judgeExec(snap: CanarySnapshot, req: ExecRequest): ExecJudgement {
  const prog = programName(req);
  if (!snap.matcher) {
    const why = snap.error ? snap.error.message : 'canary store not loaded';
    return { decision: failClosed(`blocked exec of ${prog}: grith cannot check it (${oneLine(why, 200)})`, why), maskedArgv: `${prog} …` };
  }
  const joined = snap.matcher.scan(req.argv.join(' '));
  const concat = req.argv.length > 1 ? snap.matcher.scan(req.argv.join('')) : [];
  const pathHits = req.path && req.path !== req.argv[0] ? snap.matcher.scan(req.path) : [];
  const all = [...joined, ...concat, ...pathHits];
  if (all.length === 0) return { decision: ALLOW, maskedArgv: '' };

  const fires = firesOf(all, snap.canaries);
  const labels = fires.map((f) => `"${oneLine(f.label, 60)}"`).join(', ');
  return {
    decision: { verdict: 'deny', fires, reason: `blocked exec of ${maskSecrets(prog, snap.secrets)}: argument carries credential canary ${labels}` },
    maskedArgv: maskArgv(req.argv, { joined, concat }, snap.secrets) + (pathHits.length ? ' (path masked)' : ''),
  };
}
