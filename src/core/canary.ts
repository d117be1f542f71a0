// The canary model as stored: one decoy credential and where it was planted.
import type { SinkConfig } from './sink-config.js';

/** Where a canary lives. `file`: a real decoy written to disk by --place; `decoy`: a virtual file served by
 * grith mounts at MOUNTPOINT/rel; `env`: a variable set by grith shell. */
export type Placement =
  | { kind: 'file'; path: string; sha256: string; mode: number }
  | { kind: 'decoy'; rel: string }
  | { kind: 'env'; name: string };

export interface Canary {
  id: string;
  label: string;
  format: string;
  /** The token. Never printed, logged or put in an event (see fingerprint). */
  value: string;
  /** Further secret parts that belong to the same credential (e.g. AWS access key id); matched like value. */
  companions?: Record<string, string>;
  placements: Placement[];
  createdAt: string;
  rotatedAt: string | null;
  terminate: boolean;
  fires: number;
  lastFiredAt: string | null;
}

export interface StoreSettings {
  /** Webhooks added before sinks existed; still delivered to (as webhook sinks with derived ids). */
  webhooks?: { url: string; secret?: string }[];
  /** Alert sinks (grith alerts add-…). */
  sinks?: SinkConfig[];
}

export const STORE_SCHEMA = 'grith.store';
export const STORE_VERSION = 1;

export interface StoreDoc {
  schema: typeof STORE_SCHEMA;
  version: number;
  canaries: Canary[];
  settings: StoreSettings;
}

export function emptyStoreDoc(): StoreDoc {
  return { schema: STORE_SCHEMA, version: STORE_VERSION, canaries: [], settings: {} };
}
