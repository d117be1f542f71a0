// Shared test fixtures for the store and event tests: temp homes, canary records, a naive Matcher, file digests.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Canary } from '../../src/core/canary.js';
import { fingerprint } from '../../src/core/fingerprint.js';
import type { Hit, Matcher, MatchStream } from '../../src/core/matcher/types.js';

export function tempHome(prefix = 'grith-store-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export function makeCanary(id: string, value = `ghp_${id.padEnd(36, 'x')}`): Canary {
  return {
    id,
    label: `label-${id}`,
    format: 'github-pat',
    value,
    placements: [{ kind: 'env', name: 'GITHUB_TOKEN' }],
    createdAt: '2024-01-01T00:00:00.000Z',
    rotatedAt: null,
    terminate: false,
    fires: 0,
    lastFiredAt: null,
  };
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** A plain-substring Matcher: enough to tell which canaries a LiveCanaries snapshot was compiled from. */
export function fakeMatcher(canaries: Canary[]): Matcher {
  const pats = canaries.map((c) => ({ c, bytes: Buffer.from(c.value) }));
  const scan = (input: Uint8Array | string): Hit[] => {
    const buf = Buffer.from(input as Uint8Array);
    const hits: Hit[] = [];
    for (const { c, bytes } of pats) {
      for (let at = buf.indexOf(bytes); at >= 0; at = buf.indexOf(bytes, at + 1)) {
        hits.push({ canaryId: c.id, label: c.label, fingerprint: fingerprint(c.value), variant: 'plain', start: at, end: at + bytes.length });
      }
    }
    return hits;
  };
  const maxPatternLength = Math.max(1, ...pats.map((p) => p.bytes.length));
  return {
    targetCount: canaries.length,
    patternCount: pats.length,
    maxPatternLength,
    scan,
    stream(): MatchStream {
      let seen = Buffer.alloc(0);
      let offset = 0;
      return {
        write(chunk: Uint8Array): Hit[] {
          const base = offset - seen.length;
          seen = Buffer.concat([seen, Buffer.from(chunk)]);
          offset += chunk.length;
          const hits = scan(seen)
            .map((h) => ({ ...h, start: h.start + base, end: h.end + base }))
            .filter((h) => h.end > offset - chunk.length);
          seen = seen.subarray(Math.max(0, seen.length - (maxPatternLength - 1)));
          return hits;
        },
        get offset() {
          return offset;
        },
        get safeOffset() {
          return Math.max(0, offset - (maxPatternLength - 1));
        },
      };
    },
  };
}
