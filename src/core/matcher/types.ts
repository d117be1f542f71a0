// The matcher's contract, shared by every guard: targets in, hits out, streaming with absolute offsets.

/** Names of the encoded forms a canary is matched in. */
export type VariantName =
  | 'plain'
  | 'base64'
  | 'base64url'
  | 'hex'
  | 'hex-upper'
  | 'percent'
  | 'percent-lower'
  | 'json-unicode'
  | 'utf16le'
  | 'reversed'
  | 'base64-base64'
  | 'core';

/** One canary as the matcher sees it. `secrets` holds the value and its companions; `cores` their random cores. */
export interface MatchTarget {
  canaryId: string;
  label: string;
  fingerprint: string;
  secrets: string[];
  cores: string[];
}

export interface Hit {
  canaryId: string;
  label: string;
  fingerprint: string;
  variant: VariantName;
  /** Absolute byte offset of the first byte of the matched pattern in the stream (or buffer). */
  start: number;
  /** Absolute byte offset one past the last byte of the matched pattern. */
  end: number;
}

export interface MatchStream {
  /** Feed the next chunk; returns every hit whose last byte lies in this chunk (offsets absolute). */
  write(chunk: Uint8Array): Hit[];
  /** Total bytes fed so far. */
  readonly offset: number;
  /**
   * Bytes before this absolute offset can never become part of a future hit: a streaming guard may forward them.
   * Always ≥ offset - (maxPatternLength - 1).
   */
  readonly safeOffset: number;
}

export interface Matcher {
  readonly targetCount: number;
  readonly patternCount: number;
  /** Longest pattern in bytes: the most a streaming guard ever has to hold back is maxPatternLength - 1. */
  readonly maxPatternLength: number;
  /** Scan one whole buffer (or UTF-8 string). */
  scan(input: Uint8Array | string): Hit[];
  /** A fresh per-stream state. */
  stream(): MatchStream;
}
