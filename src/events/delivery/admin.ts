// Adding, listing and removing alert sinks in store.json (locked read-modify-write). A new sink starts with the
// next event the log records; re-adding the same receiver updates it in place and keeps its cursor.
import { randomBytes } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { InvalidInputError } from '../../core/errors.js';
import { DEFAULT_MIN_SEVERITY, DEFAULT_RATE_PER_MIN, redactUrl, sinkTarget, type SinkConfig, type SinkType } from '../../core/sink-config.js';
import type { Severity } from '../../core/severity.js';
import { CanaryStore } from '../../store/canary-store.js';
import { legacyWebhookId, loadSinks } from './config.js';
import { cursorPath } from './cursor.js';
import { readSpool } from './spool.js';

export interface SinkView {
  index: number;
  id: string;
  type: SinkType;
  target: string;
  minSeverity: Severity;
  ratePerMin: number | null;
  /** Webhooks: signed with a secret. */
  signed?: boolean;
  /** OTLP: encoding and the names (never values) of extra headers. */
  encoding?: string;
  headers?: string[];
  /** Added with `alerts add-webhook` before sinks existed. */
  legacy?: boolean;
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;
/** What a caller gives: the sink without id, fromSeq and createdAt; severity and rate default by type. */
export type NewSink = DistributiveOmit<SinkConfig, 'id' | 'fromSeq' | 'createdAt' | 'minSeverity' | 'ratePerMin'> & {
  minSeverity?: Severity;
  ratePerMin?: number | null;
};

export function viewSink(s: SinkConfig, index: number): SinkView {
  const v: SinkView = {
    index,
    id: s.id,
    type: s.type,
    target: sinkTarget(s),
    minSeverity: s.minSeverity,
    ratePerMin: s.ratePerMin ?? null,
  };
  if (s.type === 'webhook') v.signed = Boolean(s.secret);
  if (s.type === 'otlp') {
    v.encoding = s.encoding;
    v.headers = Object.keys(s.headers);
  }
  if (s.fromSeq === 0) v.legacy = true;
  return v;
}

export async function addSink(home: string, input: NewSink): Promise<SinkView> {
  const head = (await readSpool(home, Number.MAX_SAFE_INTEGER, 0, 0)).head;
  const store = await CanaryStore.open(home, { create: true });
  const saved = await store.update((doc) => {
    const sinks = (doc.settings.sinks ??= []);
    const rate = input.ratePerMin === undefined ? DEFAULT_RATE_PER_MIN[input.type] : input.ratePerMin ?? undefined;
    const existing = sinks.find((s) => s.type === input.type && s.url === input.url);
    const { ratePerMin: _r, minSeverity: _m, ...rest } = input;
    const cfg = {
      ...rest,
      id: existing?.id ?? `${input.type}-${randomBytes(3).toString('hex')}`,
      minSeverity: input.minSeverity ?? DEFAULT_MIN_SEVERITY[input.type],
      fromSeq: existing?.fromSeq ?? head + 1,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
      ...(rate ? { ratePerMin: rate } : {}),
    } as SinkConfig;
    if (existing) sinks[sinks.indexOf(existing)] = cfg;
    else sinks.push(cfg);
    // A webhook added the old way and now re-added: one sink, not two.
    if (cfg.type === 'webhook' && doc.settings.webhooks) doc.settings.webhooks = doc.settings.webhooks.filter((w) => w.url !== cfg.url);
    return cfg;
  });
  const all = await loadSinks(home);
  return viewSink(saved, all.findIndex((s) => s.id === saved.id) + 1);
}

export async function listSinks(home: string): Promise<SinkView[]> {
  await CanaryStore.open(home, { create: true });
  return (await loadSinks(home)).map((s, i) => viewSink(s, i + 1));
}

/** By id, by number in `alerts list`, or by URL (as added or as shown). Returns what is left. */
export async function removeSink(home: string, ref: string, type?: SinkType): Promise<{ removed: SinkView; left: SinkView[] }> {
  const all = await loadSinks(home);
  const matches = (s: SinkConfig) => s.id === ref || s.url === ref || sinkTarget(s) === ref || redactUrl(s.url) === ref;
  const i = /^\d+$/.test(ref) ? Number(ref) - 1 : all.findIndex(matches);
  const victim = i >= 0 && i < all.length ? all[i] : undefined;
  if (!victim || (type && victim.type !== type)) {
    throw new InvalidInputError(`no ${type ?? 'alert'} sink "${ref}"`, 'list them with: grith alerts list');
  }
  const store = await CanaryStore.open(home, { create: false });
  await store.update((doc) => {
    if (doc.settings.sinks) doc.settings.sinks = doc.settings.sinks.filter((s) => s.id !== victim.id);
    if (doc.settings.webhooks) doc.settings.webhooks = doc.settings.webhooks.filter((w) => legacyWebhookId(w.url) !== victim.id);
  });
  await unlink(cursorPath(home, victim.id)).catch(() => undefined);
  return { removed: viewSink(victim, i + 1), left: await listSinks(home) };
}
