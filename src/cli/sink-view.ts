// How alert sinks are shown: one line per sink, a status table, and the shared flags and inputs of `alerts add-…`.
import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { InvalidInputError } from '../core/errors.js';
import { parseSeverity } from '../core/sink-config.js';
import type { SinkView } from '../events/delivery/admin.js';
import type { DeliveryStatus } from '../events/delivery/status.js';
import { table } from './canary-view.js';

export function sinkLine(v: SinkView): string {
  const extra = [
    v.signed ? 'signed' : '',
    v.encoding ?? '',
    v.headers?.length ? `headers: ${v.headers.join(', ')}` : '',
    `≥ ${v.minSeverity}`,
    v.ratePerMin ? `≤ ${v.ratePerMin}/min (critical exempt)` : '',
  ].filter(Boolean);
  return `${v.index}. ${v.id}  ${v.type}  ${v.target}  (${extra.join(', ')})`;
}

export function sinkList(views: SinkView[]): string {
  return views.length === 0
    ? 'no alert sinks — add one with: grith alerts add-syslog|add-otlp|add-webhook|add-pagerduty|add-slack (live events: grith events --follow --json)'
    : views.map(sinkLine).join('\n');
}

export function statusTable(st: DeliveryStatus): string {
  if (st.sinks.length === 0) return `no alert sinks; the log is at #${st.head}`;
  const rows = [['SINK', 'TYPE', 'TARGET', 'THROUGH', 'LAG', 'LAST ERROR', 'NEXT TRY']];
  for (const s of st.sinks) {
    rows.push([
      s.id,
      s.type,
      s.target,
      `#${s.cursor}`,
      s.lag === 0 ? '0' : `${s.lag} (since ${s.oldestPendingAt})`,
      s.lastError ? `${s.lastError}${s.failures > 1 ? ` (×${s.failures})` : ''}` : '-',
      s.nextAttemptAt ?? '-',
    ]);
  }
  const notes = st.sinks.filter((s) => s.logRewound).map((s) => `WARNING: the log was cut or rewritten behind ${s.id}'s cursor (run grith events --verify)`);
  const bg = st.background ? `background deliverer running (pid ${st.background})` : '';
  return [table(rows), `log head #${st.head}`, bg, ...notes].filter(Boolean).join('\n');
}

export const sinkFlags = {
  'min-severity': Flags.string({
    description: 'deliver events of at least this severity: info, low, medium, high, critical (default by sink type)',
    options: ['info', 'low', 'medium', 'high', 'critical'],
  }),
  rate: Flags.integer({ description: 'at most N non-critical events per minute (0 = no limit); canary.fired always goes', min: 0 }),
};

export function commonSinkInput(flags: { 'min-severity'?: string; rate?: number }): { minSeverity?: ReturnType<typeof parseSeverity>; ratePerMin?: number | null } {
  return {
    ...(flags['min-severity'] ? { minSeverity: parseSeverity(flags['min-severity']) } : {}),
    ...(flags.rate !== undefined ? { ratePerMin: flags.rate === 0 ? null : flags.rate } : {}),
  };
}

export async function readCaFile(file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError(`cannot read CA file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 'give a PEM certificate file');
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new InvalidInputError(`${file} is not a PEM certificate`, 'give a PEM file (-----BEGIN CERTIFICATE-----)');
  return pem;
}

export function fromEnv(name: string, what: string): string {
  const v = process.env[name];
  if (!v) throw new InvalidInputError(`environment variable ${name} (${what}) is empty or unset`, `export ${name}=… first`);
  return v;
}
