// Reading and validating store.json: a file that is not exactly our schema is reported, never "repaired".
import { readFile } from 'node:fs/promises';
import { STORE_SCHEMA, STORE_VERSION, type StoreDoc } from '../core/canary.js';
import { StoreCorruptError, StoreUnavailableError } from '../core/errors.js';
import { sinkProblem } from '../core/sink-config.js';
import { errText } from './home.js';

/** The parsed, validated document, or null when the file does not exist. */
export async function readStoreFile(file: string): Promise<StoreDoc | null> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StoreUnavailableError(file, errText(e));
  }
  return parseStoreDoc(file, raw);
}

export function parseStoreDoc(file: string, raw: string): StoreDoc {
  if (raw.trim() === '') throw new StoreCorruptError(file, 'the file is empty');
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new StoreCorruptError(file, 'not valid JSON (truncated or damaged)');
  }
  if (!isObject(doc) || doc.schema !== STORE_SCHEMA) {
    throw new StoreCorruptError(file, `not a grith store (expected "schema": "${STORE_SCHEMA}")`);
  }
  if (typeof doc.version === 'number' && Number.isInteger(doc.version) && doc.version > STORE_VERSION) {
    throw new StoreCorruptError(
      file,
      `written by a newer grith (store version ${doc.version}; this grith reads version ${STORE_VERSION}); upgrade grith`,
    );
  }
  const problem = storeDocProblem(doc);
  if (problem !== null) throw new StoreCorruptError(file, problem);
  return doc as unknown as StoreDoc;
}

/**
 * What is wrong with a would-be StoreDoc, or null when it is valid. Messages name fields and indexes only,
 * never values (a value may be a token). Unknown extra fields are allowed and kept.
 */
export function storeDocProblem(doc: unknown): string | null {
  if (!isObject(doc)) return 'the document is not an object';
  if (doc.schema !== STORE_SCHEMA) return `"schema" is not "${STORE_SCHEMA}"`;
  if (doc.version !== STORE_VERSION) return `"version" is not ${STORE_VERSION}`;
  if (!Array.isArray(doc.canaries)) return '"canaries" is not a list';
  if (!isObject(doc.settings)) return '"settings" is not an object';
  const ids = new Set<string>();
  for (let i = 0; i < doc.canaries.length; i++) {
    const p = canaryProblem(doc.canaries[i]);
    if (p !== null) return `canaries[${i}]: ${p}`;
    const id = (doc.canaries[i] as { id: string }).id;
    if (ids.has(id)) return `canaries[${i}]: duplicate id "${id}"`;
    ids.add(id);
  }
  const webhooks = doc.settings.webhooks;
  if (webhooks !== undefined) {
    if (!Array.isArray(webhooks)) return 'settings.webhooks is not a list';
    for (let i = 0; i < webhooks.length; i++) {
      const w: unknown = webhooks[i];
      if (!isObject(w) || typeof w.url !== 'string') return `settings.webhooks[${i}].url is not a string`;
      if (w.secret !== undefined && typeof w.secret !== 'string') return `settings.webhooks[${i}].secret is not a string`;
    }
  }
  const sinks = doc.settings.sinks;
  if (sinks !== undefined) {
    if (!Array.isArray(sinks)) return 'settings.sinks is not a list';
    const seen = new Set<string>();
    for (let i = 0; i < sinks.length; i++) {
      const p = sinkProblem(sinks[i]);
      if (p !== null) return `settings.sinks[${i}]: ${p}`;
      const id = (sinks[i] as { id: string }).id;
      if (seen.has(id)) return `settings.sinks[${i}]: duplicate id "${id}"`;
      seen.add(id);
    }
  }
  return null;
}

function canaryProblem(c: unknown): string | null {
  if (!isObject(c)) return 'not an object';
  if (typeof c.id !== 'string' || c.id === '') return '"id" is not a non-empty string';
  for (const k of ['label', 'format', 'createdAt'] as const) {
    if (typeof c[k] !== 'string') return `"${k}" is not a string`;
  }
  if (typeof c.value !== 'string' || c.value === '') return '"value" is not a non-empty string';
  if (c.companions !== undefined) {
    if (!isObject(c.companions)) return '"companions" is not an object';
    for (const [k, v] of Object.entries(c.companions)) {
      if (typeof v !== 'string' || v === '') return `companions.${k} is not a non-empty string`;
    }
  }
  for (const k of ['rotatedAt', 'lastFiredAt'] as const) {
    if (c[k] !== null && typeof c[k] !== 'string') return `"${k}" is not a string or null`;
  }
  if (typeof c.terminate !== 'boolean') return '"terminate" is not true/false';
  if (typeof c.fires !== 'number' || !Number.isInteger(c.fires) || c.fires < 0) return '"fires" is not a count';
  if (!Array.isArray(c.placements)) return '"placements" is not a list';
  for (let j = 0; j < c.placements.length; j++) {
    const p = placementProblem(c.placements[j]);
    if (p !== null) return `placements[${j}]: ${p}`;
  }
  return null;
}

function placementProblem(p: unknown): string | null {
  if (!isObject(p)) return 'not an object';
  switch (p.kind) {
    case 'file':
      if (typeof p.path !== 'string' || typeof p.sha256 !== 'string' || typeof p.mode !== 'number') {
        return 'file placement needs path, sha256 and mode';
      }
      return null;
    case 'decoy':
      return typeof p.rel === 'string' ? null : 'decoy placement needs rel';
    case 'env':
      return typeof p.name === 'string' ? null : 'env placement needs name';
    default:
      return 'unknown placement kind';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
