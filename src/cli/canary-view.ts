// How a canary is shown: masked by default, the value only with --reveal; one shape for text and JSON.
import type { Canary, Placement } from '../core/canary.js';
import { fingerprint, maskValue } from '../core/fingerprint.js';

/** A canary as shown: value and companions masked unless revealed, plus its fingerprint. */
export type CanaryView = Canary & { fingerprint: string };

export function canaryView(c: Canary, reveal: boolean): CanaryView {
  const show = (v: string) => (reveal ? v : maskValue(v));
  return {
    id: c.id,
    label: c.label,
    format: c.format,
    value: show(c.value),
    ...(c.companions
      ? { companions: Object.fromEntries(Object.entries(c.companions).map(([k, v]) => [k, show(v)])) }
      : {}),
    fingerprint: fingerprint(c.value),
    placements: c.placements,
    createdAt: c.createdAt,
    rotatedAt: c.rotatedAt,
    terminate: c.terminate,
    fires: c.fires,
    lastFiredAt: c.lastFiredAt,
  };
}

export function placementText(p: Placement): string {
  switch (p.kind) {
    case 'file':
      return `file ${p.path}`;
    case 'decoy':
      return `decoy MOUNT/${p.rel}`;
    case 'env':
      return `env $${p.name}`;
  }
}

/** Left-aligned columns; the last column is never padded. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n');
}

export function canaryDetail(v: CanaryView): string {
  const lines = [
    `id           ${v.id}`,
    `label        ${v.label}`,
    `format       ${v.format}`,
    `value        ${v.value}`,
    ...Object.entries(v.companions ?? {}).map(([k, val]) => `${k.padEnd(12)} ${val}`),
    `fingerprint  ${v.fingerprint}`,
    `terminate    ${v.terminate ? 'yes (firing ends the grith shell session)' : 'no'}`,
    `created      ${v.createdAt}`,
    `rotated      ${v.rotatedAt ?? 'never'}`,
    `fires        ${v.fires}${v.lastFiredAt ? ` (last ${v.lastFiredAt})` : ''}`,
    `placements   ${v.placements.length === 0 ? 'none (matcher only)' : placementText(v.placements[0])}`,
    ...v.placements.slice(1).map((p) => `             ${placementText(p)}`),
  ];
  return lines.join('\n');
}
