// The mount's events: a judged operation becomes its events (decisionEvents), throttled, stamped with the caller's
// command line, every text masked. A refusal's events are handed to the log before FUSE hears the refusal.
import type { Decision } from '../../core/decision.js';
import { maskSecrets } from '../../core/fingerprint.js';
import type { EventInput } from '../../events/types.js';
import { decisionEvents } from '../decision-events.js';
import type { GuardContext } from '../guard-context.js';
import { cmdlineOf } from './caller.js';
import { EventThrottle } from './event-throttle.js';

/** A decision on one operation, with where it happened and what the event should add. */
export interface Judged {
  decision: Decision;
  where: string;
  detail?: EventInput['detail'];
  /** canary.read for a decoy opened, canary.persisted in the agent's state, write.refused in a read-only view. */
  kind?: 'canary.fired' | 'canary.read' | 'canary.persisted' | 'write.refused';
}

export class FsEvents {
  private readonly throttle = new EventThrottle();

  constructor(private readonly ctx: GuardContext) {}

  /** First read of this canary's decoy by this process in a while (the trap springs once per window). */
  firstRead(pid: number, canaryId: string): boolean {
    return this.throttle.firstRead(pid, canaryId);
  }

  /** Record the events of the judged operations; resolves once they are handed to the log, never rejects. */
  async emit(judged: readonly Judged[], pid: number): Promise<void> {
    const admitted: EventInput[] = [];
    for (const j of judged) {
      for (const e of decisionEvents('fs', j.decision, { where: j.where, detail: j.detail, kind: j.kind })) {
        const a = this.throttle.admit(e, pid);
        if (a) admitted.push(a);
      }
    }
    if (admitted.length === 0) return;
    try {
      const cmd = await cmdlineOf(pid);
      const secrets = this.ctx.snapshot().secrets;
      for (const e of admitted) {
        this.ctx.record({
          ...e,
          ...(pid ? { pid } : {}),
          ...(cmd ? { cmdline: maskSecrets(cmd, secrets) } : {}),
          ...(e.where ? { where: maskSecrets(e.where, secrets) } : {}),
        });
      }
    } catch {
      // record() reports its own delivery errors; nothing here may break a FUSE reply
    }
  }

  /**
   * The one translation of decisions for FUSE: a refusal replies errno once its events are handed over; otherwise
   * the events go out without delaying the operation, which proceeds.
   */
  answer(judged: readonly Judged[], pid: number, errno: number, cb: (code: number) => void, proceed: () => void): void {
    if (judged.some((j) => j.decision.verdict === 'deny')) {
      void this.emit(judged, pid).then(() => cb(errno));
      return;
    }
    if (judged.some((j) => j.decision.verdict !== 'allow')) void this.emit(judged, pid);
    proceed();
  }
}
