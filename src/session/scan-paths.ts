// `grith scan`: stream files, folders (recursively) or stdin through the matcher and report where canaries sit.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Canary } from '../core/canary.js';
import type { Hit, Matcher } from '../core/matcher/types.js';
import { compileMatcher } from '../core/matcher/index.js';
import { secretsOf, toTargets } from '../core/targets.js';
import { maskSecrets } from '../core/fingerprint.js';
import { CanaryStore } from '../store/canary-store.js';
import { EventLog } from '../events/event-log.js';
import { settleDelivery, type DeliveryOutcome } from '../events/delivery/settle.js';

export interface ScanFinding {
  source: string;
  offset: number;
  length: number;
  canaryId: string;
  label: string;
  fingerprint: string;
  variant: string;
}

export interface ScanReport {
  canaries: number;
  filesScanned: number;
  bytesScanned: number;
  findings: ScanFinding[];
  unreadable: { source: string; reason: string }[];
  /** Findings recorded: whether every alert sink took them within the wait (else retried in the background). */
  alertDelivery?: DeliveryOutcome;
}

const CHUNK = 64 * 1024;

/** One finding per canary per overlapping region: several variants often match the same bytes. */
export function collapseHits(source: string, hits: Hit[]): ScanFinding[] {
  const sorted = [...hits].sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const out: ScanFinding[] = [];
  const lastEnd = new Map<string, number>();
  for (const h of sorted) {
    const prev = lastEnd.get(h.canaryId);
    if (prev !== undefined && h.start < prev) {
      lastEnd.set(h.canaryId, Math.max(prev, h.end));
      continue;
    }
    lastEnd.set(h.canaryId, h.end);
    out.push({
      source,
      offset: h.start,
      length: h.end - h.start,
      canaryId: h.canaryId,
      label: h.label,
      fingerprint: h.fingerprint,
      variant: h.variant,
    });
  }
  return out;
}

async function scanStream(matcher: Matcher, input: Readable): Promise<{ hits: Hit[]; bytes: number }> {
  const stream = matcher.stream();
  const hits: Hit[] = [];
  let bytes = 0;
  for await (const chunk of input) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    for (const h of stream.write(buf)) hits.push(h);
  }
  return { hits, bytes };
}

async function* walk(target: string, unreadable: ScanReport['unreadable']): AsyncGenerator<string> {
  let st;
  try {
    st = await fs.stat(target);
  } catch (e) {
    unreadable.push({ source: target, reason: (e as NodeJS.ErrnoException).code ?? String(e) });
    return;
  }
  if (st.isFile()) {
    yield target;
    return;
  }
  if (!st.isDirectory()) return; // sockets, fifos, devices: nothing to read safely
  let entries;
  try {
    entries = await fs.readdir(target, { withFileTypes: true });
  } catch (e) {
    unreadable.push({ source: target, reason: (e as NodeJS.ErrnoException).code ?? String(e) });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const ent of entries) {
    const p = path.join(target, ent.name);
    if (ent.isSymbolicLink()) continue; // avoid loops and scanning outside the tree
    if (ent.isDirectory()) yield* walk(p, unreadable);
    else if (ent.isFile()) yield p;
  }
}

export async function scanTargets(
  canaries: Canary[],
  targets: string[],
  stdin: Readable,
  onProgress?: (file: string) => void,
): Promise<ScanReport> {
  const matcher = compileMatcher(toTargets(canaries));
  const report: ScanReport = { canaries: canaries.length, filesScanned: 0, bytesScanned: 0, findings: [], unreadable: [] };
  for (const target of targets) {
    if (target === '-') {
      const { hits, bytes } = await scanStream(matcher, stdin);
      report.filesScanned++;
      report.bytesScanned += bytes;
      report.findings.push(...collapseHits('-', hits));
      continue;
    }
    for await (const file of walk(target, report.unreadable)) {
      onProgress?.(file);
      try {
        const { hits, bytes } = await scanStream(matcher, createReadStream(file, { highWaterMark: CHUNK }));
        report.filesScanned++;
        report.bytesScanned += bytes;
        report.findings.push(...collapseHits(file, hits));
      } catch (e) {
        report.unreadable.push({ source: file, reason: (e as NodeJS.ErrnoException).code ?? String(e) });
      }
    }
  }
  return report;
}

/** Scan, then record one `canary.fired` (guard scan, action alert) per finding and count the fires in the store. */
export async function scanAndRecord(
  home: string,
  targets: string[],
  stdin: Readable,
  onProgress?: (file: string) => void,
): Promise<ScanReport> {
  const store = await CanaryStore.open(home, { create: false });
  const canaries = await store.list();
  const report = await scanTargets(canaries, targets, stdin, onProgress);
  // A file's own name may carry a canary: masked in the report and the events (the sinks' net also catches
  // encoded forms).
  const secrets = canaries.flatMap((c) => secretsOf(c));
  for (const f of report.findings) f.source = maskSecrets(f.source, secrets);
  for (const u of report.unreadable) u.source = maskSecrets(u.source, secrets);
  if (report.findings.length === 0) return report;
  const log = new EventLog(home, { secrets: () => secrets });
  for (const f of report.findings) {
    await log.append({
      kind: 'canary.fired',
      guard: 'scan',
      action: 'alert',
      canaryId: f.canaryId,
      label: f.label,
      fingerprint: f.fingerprint,
      variant: f.variant,
      where: f.source === '-' ? 'stdin' : f.source,
      pid: process.pid,
      detail: { offset: f.offset },
    });
  }
  // A one-shot command waits a little (≤ 2 s) for its alerts, so a finding in CI still reaches the sinks at once;
  // a sink that is down or slow gets them from the background deliverer, never by holding this command.
  report.alertDelivery = await settleDelivery(home);
  const now = new Date().toISOString();
  const counts = new Map<string, number>();
  for (const f of report.findings) counts.set(f.canaryId, (counts.get(f.canaryId) ?? 0) + 1);
  await store.update((doc) => {
    for (const c of doc.canaries) {
      const n = counts.get(c.id);
      if (n) {
        c.fires += n;
        c.lastFiredAt = now;
      }
    }
  });
  return report;
}
