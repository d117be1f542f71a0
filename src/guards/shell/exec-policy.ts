// Decides one exec: scan its argv for canaries, and describe a hit without ever carrying the token (masked argv).
import { basename } from 'node:path';
import type { Canary } from '../../core/canary.js';
import { maskSecrets, maskValue } from '../../core/fingerprint.js';
import type { Hit } from '../../core/matcher/types.js';
import { secretsOf } from '../../core/targets.js';
import type { CanarySnapshot } from '../guard-context.js';
import type { ExecRequest } from './exec-protocol.js';
import { oneLine } from './exec-protocol.js';

export interface ExecFire {
  hit: Hit;
  canary?: Canary;
}

export type ExecDecision =
  | { allow: true }
  | {
      allow: false;
      /** One line for the program's stderr; never holds a token. */
      reason: string;
      /** Distinct canaries found (first hit of each); empty when denied for failing closed. */
      fires: ExecFire[];
      terminate: boolean;
      /** argv joined by spaces, every hit and every known secret masked. */
      maskedArgv: string;
      /** Set when denied because the guard has no usable store (fail closed). */
      failClosed?: string;
    };

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

export function maskArgv(argv: string[], hits: { joined: Hit[]; concat: Hit[] }, secrets: string[]): string {
  const parts = argv.map((a) => Buffer.from(a, 'utf8'));
  const ranges: Ranges = parts.map(() => []);
  for (const h of hits.joined) mapBack(parts, 1, h, ranges);
  for (const h of hits.concat) mapBack(parts, 0, h, ranges);
  const masked = parts.map((p, i) => maskArg(p, ranges[i])).join(' ');
  return maskSecrets(masked, secrets);
}

/** Scan the argv (joined by spaces, and concatenated to catch a token split across arguments) and the path. */
export function decideExec(snap: CanarySnapshot, req: ExecRequest): ExecDecision {
  const prog = programName(req);
  if (!snap.matcher) {
    const why = snap.error ? snap.error.message : 'canary store not loaded';
    return {
      allow: false,
      reason: `blocked exec of ${prog}: grith cannot check it (${oneLine(why, 200)})`,
      fires: [],
      terminate: false,
      maskedArgv: `${prog} …`,
      failClosed: why,
    };
  }
  const joined = snap.matcher.scan(req.argv.join(' '));
  const concat = req.argv.length > 1 ? snap.matcher.scan(req.argv.join('')) : [];
  const pathHits = req.path && req.path !== req.argv[0] ? snap.matcher.scan(req.path) : [];
  const all = [...joined, ...concat, ...pathHits];
  if (all.length === 0) return { allow: true };

  const byId = new Map(snap.canaries.map((c) => [c.id, c]));
  // One fire per canary, reporting its most telling form: the plain token over an encoding over a bare core.
  const rank = (h: Hit) => (h.variant === 'plain' ? 0 : h.variant === 'core' ? 2 : 1);
  const best = new Map<string, Hit>();
  for (const hit of all) {
    const cur = best.get(hit.canaryId);
    if (!cur || rank(hit) < rank(cur)) best.set(hit.canaryId, hit);
  }
  const fires: ExecFire[] = [...best.values()].map((hit) => ({ hit, canary: byId.get(hit.canaryId) }));
  const secrets = snap.canaries.flatMap((c) => secretsOf(c));
  const labels = fires.map((f) => `"${oneLine(f.hit.label, 60)}"`).join(', ');
  return {
    allow: false,
    reason: `blocked exec of ${maskSecrets(prog, secrets)}: argument carries canary ${labels}`,
    fires,
    terminate: fires.some((f) => f.canary?.terminate === true),
    maskedArgv: maskArgv(req.argv, { joined, concat }, secrets) + (pathHits.length ? ' (path masked)' : ''),
  };
}
