// The SSH decoy is a real key: OpenSSH's own ssh-keygen must load it and derive the same public key.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFormat } from '../../../../src/core/formats/index.js';
import {
  parseOpenSshEd25519,
  publicKeyBlob,
  publicKeyFromSeed,
} from '../../../../src/core/formats/ssh-ed25519.js';

const run = promisify(execFile);
const SSH_KEYGEN = '/usr/bin/ssh-keygen';
const ssh = getFormat('ssh-ed25519');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grith-ssh-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeKey(name: string, content: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content, { mode: 0o600 });
  return file;
}

describe('ssh-ed25519', () => {
  it('ssh-keygen -y accepts the decoy file and prints the public key stored in it', async () => {
    for (let i = 0; i < 5; i++) {
      const t = ssh.generate();
      const decoy = ssh.decoy(t, 'label');
      const file = await writeKey(`id_ed25519_${i}`, decoy.content);
      expect((await stat(file)).mode & 0o777).toBe(decoy.mode);
      const { stdout } = await run(SSH_KEYGEN, ['-y', '-f', file]);
      const [type, b64, comment] = stdout.trim().split(' ');
      const parsed = parseOpenSshEd25519(t.value);
      expect(type).toBe('ssh-ed25519');
      expect(b64).toBe(publicKeyBlob(parsed.publicKey).toString('base64'));
      // node:crypto derives the same public key from the seed, independently of the file's copy.
      expect(b64).toBe(publicKeyBlob(publicKeyFromSeed(parsed.seed)).toString('base64'));
      if (comment !== undefined) expect(comment).toBe(parsed.comment);
      expect(parsed.comment).toMatch(/^[a-z-]+@[a-z0-9-]+$/);
    }
  });

  it('the value has no trailing newline ($(cat key) drops it); the decoy file adds it back for ssh-keygen', () => {
    const t = ssh.generate();
    expect(t.value.endsWith('\n')).toBe(false);
    expect(t.value.endsWith('-----END OPENSSH PRIVATE KEY-----')).toBe(true);
    expect(ssh.decoy(t, 'label').content).toBe(`${t.value}\n`);
  });

  it('validate() rejects a key whose seed no longer gives its public key', () => {
    // ssh-keygen -y prints the stored public key without checking it against the seed, so validate() derives it.
    const t = ssh.generate();
    const core = ssh.core(t.value);
    const flipped = core[0] === 'A' ? 'B' : 'A';
    expect(ssh.validate(t.value.replace(core, flipped + core.slice(1)))).toBe(false);
  });

  it('the core is 40 seed characters on one line, never in the public key', () => {
    const t = ssh.generate();
    const core = ssh.core(t.value);
    const parsed = parseOpenSshEd25519(t.value);
    expect(core).toHaveLength(40);
    expect(parsed.lines.some((l) => l.includes(core))).toBe(true);
    // Decoding the core (aligned on a base64 group) yields seed bytes.
    expect(parsed.seed.includes(Buffer.from(core, 'base64'))).toBe(true);
    const pubLine = `ssh-ed25519 ${publicKeyBlob(parsed.publicKey).toString('base64')}`;
    expect(pubLine).not.toContain(core.slice(0, 16));
  });

  it('validate() rejects encrypted-looking and truncated keys', () => {
    const t = ssh.generate();
    const lines = t.value.split('\n');
    expect(ssh.validate([...lines.slice(0, 3), lines[lines.length - 1]].join('\n'))).toBe(false);
    const body = Buffer.from(lines.slice(1, -1).join(''), 'base64');
    // Change cipher name "none" -> "aes2" (same length) and re-encode.
    const i = body.indexOf('none');
    body.write('aes2', i);
    const reencoded = body.toString('base64').match(/.{1,70}/g)!;
    expect(ssh.validate([lines[0], ...reencoded, lines[lines.length - 1]].join('\n'))).toBe(false);
  });
});
