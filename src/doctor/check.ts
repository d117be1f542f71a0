// What one `grith doctor` line is: a requirement, whether it is met, and how to meet it.

/** ok: met. missing: a session cannot run (or runs degraded) until it is fixed. warn: worth fixing, not blocking. */
export type CheckStatus = 'ok' | 'missing' | 'warn';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** One line: what was found. */
  detail: string;
  /** How to fix it, when not ok. */
  fix?: string;
}

export function ok(id: string, title: string, detail: string): CheckResult {
  return { id, title, status: 'ok', detail };
}

export function missing(id: string, title: string, detail: string, fix?: string): CheckResult {
  return { id, title, status: 'missing', detail, ...(fix ? { fix } : {}) };
}

export function warn(id: string, title: string, detail: string, fix?: string): CheckResult {
  return { id, title, status: 'warn', detail, ...(fix ? { fix } : {}) };
}

/** The first line of an error's message (command output and errors can run to several). */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? msg;
}
