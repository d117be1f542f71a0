// What may go into an event: known fields of the right types only (sanitizeInput), and never a token value
// (assertNoSecrets, the last net before the log).
import { GrithError, InvalidInputError } from '../core/errors.js';
import { EVENT_KINDS, type EventAction, type EventInput, type GrithEvent, type GuardName } from './types.js';

const GUARDS: readonly GuardName[] = ['fs', 'shell', 'proxy', 'scan', 'cli'];
const ACTIONS: readonly EventAction[] = ['deny', 'alert', 'info'];
const STRING_FIELDS = ['canaryId', 'label', 'fingerprint', 'variant', 'where', 'cmdline', 'session', 'message'] as const;

/** An event would have carried a token value; nothing was written. The message names the field, never the value. */
export class SecretInEventError extends GrithError {
  readonly code = 'EVENT_HAS_SECRET';
  constructor(readonly field: string) {
    super(
      `refusing to record an event: field "${field}" contains a canary value`,
      'mask token values with maskSecrets() before building an event (this is a grith bug)',
    );
  }
}

/**
 * Copy only the known EventInput fields, checking their types, so no stray field (a raw buffer, a header map)
 * can reach the log. Throws InvalidInputError.
 */
export function sanitizeInput(input: EventInput): EventInput {
  const bad = (field: string, what: string): never => {
    throw new InvalidInputError(`invalid event: ${field} ${what}`);
  };
  if (!(EVENT_KINDS as readonly string[]).includes(input.kind)) bad('kind', `must be one of ${EVENT_KINDS.join(', ')}`);
  if (!GUARDS.includes(input.guard)) bad('guard', `must be one of ${GUARDS.join(', ')}`);
  if (!ACTIONS.includes(input.action)) bad('action', `must be one of ${ACTIONS.join(', ')}`);
  const out: EventInput = { kind: input.kind, guard: input.guard, action: input.action };
  for (const k of STRING_FIELDS) {
    const v = input[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') bad(k, 'must be a string');
    out[k] = v;
  }
  if (input.pid !== undefined) {
    if (!Number.isInteger(input.pid) || input.pid < 0) bad('pid', 'must be a process id');
    out.pid = input.pid;
  }
  if (input.detail !== undefined) {
    if (input.detail === null || typeof input.detail !== 'object' || Array.isArray(input.detail)) bad('detail', 'must be an object');
    const detail: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(input.detail)) {
      if (typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) {
        bad(`detail.${k}`, 'must be a string, finite number or boolean');
      }
      detail[k] = v;
    }
    out.detail = detail;
  }
  return out;
}

/**
 * Throw SecretInEventError if any string in the event (values and detail keys included) contains one of the
 * secrets verbatim. Empty secrets are ignored. Plain containment only: masking is the caller's job; this is the net.
 */
export function assertNoSecrets(event: EventInput | GrithEvent, secrets: readonly string[]): void {
  const live = secrets.filter((s) => s.length > 0);
  if (live.length === 0) return;
  const check = (field: string, s: string): void => {
    for (const secret of live) if (s.includes(secret)) throw new SecretInEventError(field);
  };
  for (const [k, v] of Object.entries(event)) {
    if (typeof v === 'string') check(k, v);
    else if (k === 'detail' && v && typeof v === 'object') {
      for (const [dk, dv] of Object.entries(v as Record<string, unknown>)) {
        check(`detail.${dk}`, dk);
        if (typeof dv === 'string') check(`detail.${dk}`, dv);
      }
    }
  }
}

