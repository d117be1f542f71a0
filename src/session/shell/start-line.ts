// The one line a session prints when it starts (interactive and `-- PROGRAM`): what is armed and what guards it, so
// a person can tell a guarded shell from an unguarded one and see where the agent's model channel goes.
import type { Canary } from '../../core/canary.js';
import type { ModelEndpoints } from '../../core/model-endpoints.js';

export interface StartFacts {
  id: string;
  canaries: readonly Canary[];
  proxy: boolean;
  sandbox: boolean;
  /** Absent: no agent program (interactive shell), every canary is denied everywhere. */
  model?: { policy: 'alert' | 'deny'; endpoints: ModelEndpoints };
  mount?: { source: string; mountpoint: string };
}

export function startLine(f: StartFacts): string {
  const decoys = f.canaries.filter((c) => c.placements.some((p) => p.kind === 'decoy')).length;
  const env = f.canaries.filter((c) => c.placements.some((p) => p.kind === 'env')).length;
  const parts = [
    `guarded session ${f.id}`,
    `${f.canaries.length} canar${f.canaries.length === 1 ? 'y' : 'ies'} armed (${decoys} decoy, ${env} env)`,
    'exec guard on',
    f.sandbox ? 'sandbox on (grith\'s state out of reach, the disk read-only but the workspace and the scanned home)' : 'NO SANDBOX (--no-sandbox)',
    f.proxy ? 'proxy on' : 'proxy off (--no-proxy)',
  ];
  if (f.proxy && f.model) {
    parts.push(
      f.model.policy === 'alert'
        ? `model channel: the agent may carry context to ${f.model.endpoints.describe()} (recorded)`
        : 'model channel: denied like any host (--model-channel deny)',
    );
  }
  if (f.mount) parts.push(`workspace ${f.mount.source} mounted at ${f.mount.mountpoint}`);
  return parts.join(' · ');
}
