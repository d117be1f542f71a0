// What a token format is: how to mint a realistic credential, what file it hides in, and where its randomness lies.

export interface GeneratedToken {
  /** The primary secret (what the matcher must catch first). */
  value: string;
  /** Other secret parts of the same credential, e.g. { accessKeyId: 'AKIA…' } for AWS. Matched like value. */
  companions?: Record<string, string>;
}

export interface DecoyFile {
  /** Where such a file usually lives, relative to a workspace or home: `.aws/credentials`, `.env`, `.ssh/id_ed25519`. */
  defaultName: string;
  /** Full, plausible file content containing the token (and companions) plus realistic neighbours. */
  content: string;
  /** File mode to write it with (0o600 for credential files). */
  mode: number;
}

export interface TokenFormat {
  /** Stable id used on the command line: `grith canary add --format <id>`. */
  readonly id: string;
  /** Human name: "GitHub classic personal access token". */
  readonly title: string;
  /** The public pattern secret scanners (gitleaks) use for this credential; every generated value must match it. */
  readonly pattern: RegExp;
  /** Mint a fresh token with at least 128 random bits from node:crypto. */
  generate(): GeneratedToken;
  /** Checksum or structural validity where the real format has one (GitHub/npm CRC32, JWT signature, SSH key). */
  validate(value: string): boolean;
  /** The random core of the value: ≥ 16 characters, no fixed provider prefix, so a stripped/truncated token matches. */
  core(value: string): string;
  /** Plausible decoy file content for --place / --decoy. */
  decoy(token: GeneratedToken, label: string): DecoyFile;
}
