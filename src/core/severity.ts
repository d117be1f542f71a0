// How loud each kind of event is: decides which sinks hear it, how pagers rank it, and what bypasses rate limits.

/** Ascending. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const BY_KIND: Record<string, Severity> = {
  // A canary leaving (or being caught on its way out) is proof of exfiltration.
  'canary.fired': 'critical',
  // The trap sprang or a canary went somewhere it should not stay: someone must look.
  'canary.read': 'high',
  'canary.context': 'high',
  'canary.persisted': 'high',
  'guard.degraded': 'high',
  'guard.error': 'medium',
  'write.refused': 'medium',
  'canary.added': 'info',
  'canary.rotated': 'info',
  'canary.removed': 'info',
  'guard.started': 'info',
  'guard.stopped': 'info',
  'alert.test': 'info',
};

/** Unknown kinds (from a newer grith) are medium: heard by most sinks, paging none by default. */
export function severityOf(kind: string): Severity {
  return BY_KIND[kind] ?? 'medium';
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}
