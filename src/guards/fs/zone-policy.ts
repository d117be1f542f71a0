// The working zone's rule, as a value: a canary written outside the zone is denied; inside it, recorded as staged
// (or denied under --zone-policy deny). Pure: FUSE errnos are the adapter's business.
import type { Canary } from '../../core/canary.js';
import { decide, type Decision } from '../../core/decision.js';
import type { Hit } from '../../core/matcher/types.js';

export type ZonePolicy = 'alert' | 'deny';

export interface ZoneFacts {
  /** The bytes land inside the working zone (and nowhere else: a hard link elsewhere puts them outside too). */
  inZone: boolean;
  policy: ZonePolicy;
  /** The operation, for the message: write, create, rename, link, truncate… */
  op: string;
  /** The bytes land in the agent's own state (its transcript): it may keep what it read; recorded as persisted. */
  agentState?: boolean;
}

export function zoneDecision(hits: readonly Hit[], canaries: readonly Canary[], z: ZoneFacts): Decision {
  if (z.inZone && z.agentState) return decide(hits, canaries, 'alert', () => `canary written into the agent's own state (${z.op})`);
  const deny = !z.inZone || z.policy === 'deny';
  const message = deny
    ? `${z.op} denied: canary ${z.inZone ? 'in the working zone (zone policy deny)' : 'outside the working zone'}`
    : `canary staged: ${z.op} in the working zone`;
  return decide(hits, canaries, deny ? 'deny' : 'alert', () => message);
}
