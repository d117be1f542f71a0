// The event chain's HMAC key: $GRITH_HOME/keys/chain.key (0600, in a 0700 folder), kept apart from the log so the
// log alone cannot be rewritten into a chain that verifies. Created once, on the first keyed append; never
// overwritten. Keys of earlier epochs may sit beside it as chain-<kid>.key and are used to verify old lines.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GrithError } from '../core/errors.js';
import { errText } from '../store/home.js';

export class ChainKeyError extends GrithError {
  readonly code = 'CHAIN_KEY';
  constructor(file: string, detail: string) {
    super(
      `event chain key ${file} is unusable: ${detail}`,
      'grith never overwrites it; restore it from a backup, or move it aside to start a new key (older lines then cannot be verified)',
    );
  }
}

export interface ChainKey {
  kid: string;
  key: Buffer;
}

export function keysDir(home: string): string {
  return path.join(home, 'keys');
}

export function chainKeyPath(home: string): string {
  return path.join(keysDir(home), 'chain.key');
}

/** A short public name for a key: a hash of it, which reveals nothing of the key. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update('grith-chain-kid\0').update(key).digest('hex').slice(0, 16);
}

function parseKey(file: string, raw: string): ChainKey {
  const hex = raw.trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new ChainKeyError(file, 'not 64 hex characters');
  const key = Buffer.from(hex, 'hex');
  return { kid: keyId(key), key };
}

export async function ensureKeysDir(home: string): Promise<string> {
  const dir = keysDir(home);
  try {
    const made = await mkdir(dir, { recursive: true, mode: 0o700 });
    if (made !== undefined) await chmod(dir, 0o700);
  } catch (e) {
    throw new ChainKeyError(dir, errText(e));
  }
  return dir;
}

/** The current key, or null when none was made yet. */
export async function readChainKey(home: string): Promise<ChainKey | null> {
  const file = chainKeyPath(home);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ChainKeyError(file, errText(e));
  }
  return parseKey(file, raw);
}

/** The current key; made (atomically, first writer wins across processes) when absent. */
export async function loadOrCreateChainKey(home: string): Promise<ChainKey> {
  const existing = await readChainKey(home);
  if (existing) return existing;
  await ensureKeysDir(home);
  const file = chainKeyPath(home);
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    await link(tmp, file).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    });
  } catch (e) {
    throw new ChainKeyError(file, errText(e));
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  const made = await readChainKey(home);
  if (!made) throw new ChainKeyError(file, 'vanished right after it was created');
  return made;
}

/** Every key in the keys folder (current and earlier epochs) by kid, for verification. */
export async function readKeyring(home: string): Promise<Map<string, Buffer>> {
  const dir = keysDir(home);
  const out = new Map<string, Buffer>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^chain(-[0-9a-f]+)?\.key$/.test(name)) continue;
    const file = path.join(dir, name);
    try {
      const k = parseKey(file, await readFile(file, 'utf8'));
      out.set(k.kid, k.key);
    } catch {
      // An unreadable key verifies nothing; the lines it signed are reported as unverifiable.
    }
  }
  return out;
}
