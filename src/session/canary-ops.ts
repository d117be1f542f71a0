// The canary life cycle as the CLI drives it: mint, place, rotate, remove — store, decoy files and events together.
import path from 'node:path';
import type { Canary, Placement } from '../core/canary.js';
import { fingerprint } from '../core/fingerprint.js';
import { getFormat } from '../core/formats/index.js';
import { newCanaryId, normalizeDecoyRel, validateEnvName, validateLabel } from '../core/placements.js';
import { InvalidInputError } from '../core/errors.js';
import { CanaryStore } from '../store/canary-store.js';
import { ensureHome } from '../store/home.js';
import { assertPlaceable, decoyState, rewriteDecoy, writeNewDecoy, type DecoyFileState } from '../store/decoy-files.js';
import { EventLog } from '../events/event-log.js';

export interface AddCanaryInput {
  format: string;
  label?: string;
  place?: string[];
  decoy?: string[];
  env?: string[];
  terminate?: boolean;
}

export interface FileOutcome {
  path: string;
  state: DecoyFileState;
  action: 'rewritten' | 'removed' | 'kept';
}

export async function addCanary(home: string, input: AddCanaryInput): Promise<Canary> {
  const format = getFormat(input.format);
  const places = [...new Set((input.place ?? []).map((p) => path.resolve(p)))];
  const decoys = [...new Set((input.decoy ?? []).map(normalizeDecoyRel))];
  const envs = [...new Set((input.env ?? []).map(validateEnvName))];
  const id = newCanaryId();
  const label = validateLabel(input.label ?? `${format.id}-${id}`);
  // Check every destination before writing anything, so a refused add leaves no half-placed canary.
  for (const p of places) await assertPlaceable(p);
  await ensureHome(home);
  const store = await CanaryStore.open(home, { create: true });
  await store.read(); // a corrupt store stops us before any decoy is written

  const token = format.generate();
  const decoy = format.decoy(token, label);
  const placements: Placement[] = [];
  const written: string[] = [];
  try {
    for (const p of places) {
      const sha = await writeNewDecoy(p, decoy.content, decoy.mode);
      written.push(p);
      placements.push({ kind: 'file', path: p, sha256: sha, mode: decoy.mode });
    }
    for (const rel of decoys) placements.push({ kind: 'decoy', rel });
    for (const name of envs) placements.push({ kind: 'env', name });
    const canary: Canary = {
      id,
      label,
      format: format.id,
      value: token.value,
      ...(token.companions ? { companions: token.companions } : {}),
      placements,
      createdAt: new Date().toISOString(),
      rotatedAt: null,
      terminate: Boolean(input.terminate),
      fires: 0,
      lastFiredAt: null,
    };
    await store.update((doc) => {
      if (doc.canaries.some((c) => c.id === id)) throw new InvalidInputError('canary id collision, try again');
      doc.canaries.push(canary);
    });
    await new EventLog(home).append({
      kind: 'canary.added',
      guard: 'cli',
      action: 'info',
      canaryId: id,
      label,
      fingerprint: fingerprint(canary.value),
      detail: { format: format.id, placements: placements.length },
    });
    return canary;
  } catch (e) {
    // Roll back files we created in this call (they are ours and unchanged).
    const { rm } = await import('node:fs/promises');
    for (const p of written) await rm(p, { force: true });
    throw e;
  }
}

export async function rotateCanary(home: string, idOrPrefix: string): Promise<{ canary: Canary; files: FileOutcome[] }> {
  const store = await CanaryStore.open(home, { create: false });
  const current = await store.get(idOrPrefix);
  const format = getFormat(current.format);
  const token = format.generate();
  const decoy = format.decoy(token, current.label);
  const files: FileOutcome[] = [];
  const placements: Placement[] = [];
  for (const pl of current.placements) {
    if (pl.kind !== 'file') {
      placements.push(pl);
      continue;
    }
    const state = await decoyState(pl.path, pl.sha256);
    if (state === 'unchanged') {
      const sha = await rewriteDecoy(pl.path, decoy.content, pl.mode);
      placements.push({ ...pl, sha256: sha });
      files.push({ path: pl.path, state, action: 'rewritten' });
    } else {
      // Never touch a file the user changed or removed; keep the record so `show` can tell.
      placements.push(pl);
      files.push({ path: pl.path, state, action: 'kept' });
    }
  }
  const canary = await store.update((doc) => {
    const c = doc.canaries.find((x) => x.id === current.id);
    if (!c) throw new InvalidInputError(`canary ${current.id} was removed while rotating`);
    c.value = token.value;
    if (token.companions) c.companions = token.companions;
    else delete c.companions;
    c.placements = placements;
    c.rotatedAt = new Date().toISOString();
    return structuredClone(c);
  });
  await new EventLog(home).append({
    kind: 'canary.rotated',
    guard: 'cli',
    action: 'info',
    canaryId: canary.id,
    label: canary.label,
    fingerprint: fingerprint(canary.value),
    detail: { previousFingerprint: fingerprint(current.value) },
  });
  return { canary, files };
}

export async function removeCanary(home: string, idOrPrefix: string): Promise<{ canary: Canary; files: FileOutcome[] }> {
  const store = await CanaryStore.open(home, { create: false });
  const current = await store.get(idOrPrefix);
  const files: FileOutcome[] = [];
  const { rm } = await import('node:fs/promises');
  for (const pl of current.placements) {
    if (pl.kind !== 'file') continue;
    const state = await decoyState(pl.path, pl.sha256);
    if (state === 'unchanged') {
      await rm(pl.path, { force: true });
      files.push({ path: pl.path, state, action: 'removed' });
    } else {
      files.push({ path: pl.path, state, action: 'kept' });
    }
  }
  await store.update((doc) => {
    doc.canaries = doc.canaries.filter((c) => c.id !== current.id);
  });
  await new EventLog(home).append({
    kind: 'canary.removed',
    guard: 'cli',
    action: 'info',
    canaryId: current.id,
    label: current.label,
    fingerprint: fingerprint(current.value),
  });
  return { canary: current, files };
}
