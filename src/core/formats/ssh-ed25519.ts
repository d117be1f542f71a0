// OpenSSH ed25519 private key, encoded by hand in the openssh-key-v1 format (cipher "none") so core stays pure.
// Decision: value = the whole PEM block without its final newline (so `$(cat key)`, which drops trailing
// newlines, still carries the complete value); the decoy file adds the newline back. Core = the base64 characters
// that encode only private seed bytes: the seed sits at a fixed byte offset (161..192) for every ed25519 key, so
// these 40 characters (240 bits) always lie inside the fourth 70-column line and never in the public key.
// validate() parses the whole structure and re-derives the public key from the seed.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { GeneratedToken } from './types.js';
import { type FormatDef, notThisFormat } from './format-def.js';
import { machineName, userName } from './decoy-text.js';

const BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const END = '-----END OPENSSH PRIVATE KEY-----';
const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const KEY_TYPE = 'ssh-ed25519';
const LINE = 70;
/** PKCS#8 DER head for an Ed25519 private key; followed by the 32-byte seed. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function sshString(data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([u32(b.length), b]);
}

/** The public key blob as it appears in id_ed25519.pub and authorized_keys (base64 of this). */
export function publicKeyBlob(publicKey: Buffer): Buffer {
  return Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);
}

/** Public key derived from a 32-byte seed by node:crypto (independent of what the file claims). */
export function publicKeyFromSeed(seed: Buffer): Buffer {
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(priv).export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url');
}

export function encodeOpenSshEd25519(seed: Buffer, publicKey: Buffer, comment: string, checkint: Buffer): string {
  const privParts = [
    checkint,
    checkint,
    sshString(KEY_TYPE),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment),
  ];
  let priv = Buffer.concat(privParts);
  const pad: number[] = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const body = Buffer.concat([
    MAGIC,
    sshString('none'),
    sshString('none'),
    sshString(''),
    u32(1),
    sshString(publicKeyBlob(publicKey)),
    sshString(priv),
  ]);
  const b64 = body.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += LINE) lines.push(b64.slice(i, i + LINE));
  return [BEGIN, ...lines, END].join('\n');
}

export interface ParsedKey {
  publicKey: Buffer;
  seed: Buffer;
  comment: string;
  /** Offset of the seed inside the decoded body. */
  seedOffset: number;
  /** Joined base64 body (no line breaks) and the lines it came from. */
  base64: string;
  lines: string[];
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new RangeError('truncated key');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u32(): number {
    return this.bytes(4).readUInt32BE(0);
  }
  string(): Buffer {
    return this.bytes(this.u32());
  }
  get done(): boolean {
    return this.pos === this.buf.length;
  }
}

/** Parses and checks an unencrypted OpenSSH ed25519 private key; throws on anything malformed. */
export function parseOpenSshEd25519(pem: string): ParsedKey {
  const all = pem.replace(/\r\n/g, '\n').trim().split('\n');
  if (all[0] !== BEGIN || all[all.length - 1] !== END) throw new Error('not an OpenSSH private key block');
  const lines = all.slice(1, -1);
  const base64 = lines.join('');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw new Error('body is not base64');
  const body = Buffer.from(base64, 'base64');
  if (!body.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('bad magic');
  const r = new Reader(body);
  r.bytes(MAGIC.length);
  if (r.string().toString() !== 'none' || r.string().toString() !== 'none' || r.string().length !== 0) {
    throw new Error('encrypted keys are not canary keys');
  }
  if (r.u32() !== 1) throw new Error('expected one key');
  const pub = new Reader(r.string());
  if (pub.string().toString() !== KEY_TYPE) throw new Error('not ed25519');
  const publicKey = Buffer.from(pub.string());
  if (publicKey.length !== 32 || !pub.done) throw new Error('bad public key');
  const privLen = r.u32();
  const privStart = r.pos;
  const priv = new Reader(r.bytes(privLen));
  if (!r.done || privLen % 8 !== 0) throw new Error('bad private section length');
  if (!priv.bytes(4).equals(priv.bytes(4))) throw new Error('checkints differ');
  if (priv.string().toString() !== KEY_TYPE) throw new Error('private key type mismatch');
  if (!priv.string().equals(publicKey)) throw new Error('public key mismatch');
  const pairLen = priv.u32();
  const seedOffset = privStart + priv.pos;
  const pair = priv.bytes(pairLen);
  if (pairLen !== 64 || !pair.subarray(32).equals(publicKey)) throw new Error('bad private key');
  const comment = priv.string().toString('utf8');
  const padding = priv.bytes(privLen - priv.pos);
  if (!padding.every((b, i) => b === i + 1)) throw new Error('bad padding');
  const seed = Buffer.from(pair.subarray(0, 32));
  if (!publicKeyFromSeed(seed).equals(publicKey)) throw new Error('seed does not give the public key');
  return { publicKey, seed, comment, seedOffset, base64, lines };
}

/** Base64 characters of the body that encode seed bytes only, clipped to the PEM line they start on. */
function seedCore(k: ParsedKey): string {
  const from = (Math.ceil(k.seedOffset / 3) * 3 * 4) / 3;
  const to = (Math.floor((k.seedOffset + 32) / 3) * 3 * 4) / 3;
  let lineEnd = 0;
  for (const line of k.lines) {
    lineEnd += line.length;
    if (lineEnd > from) break;
  }
  return k.base64.slice(from, Math.min(to, lineEnd));
}

export const sshEd25519: FormatDef = {
  id: 'ssh-ed25519',
  title: 'OpenSSH ed25519 private key',
  // gitleaks private-key
  pattern: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----/i,
  generate(): GeneratedToken {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const d = privateKey.export({ format: 'jwk' }).d as string;
    const x = publicKey.export({ format: 'jwk' }).x as string;
    const comment = `${userName()}@${machineName()}`;
    const value = encodeOpenSshEd25519(
      Buffer.from(d, 'base64url'),
      Buffer.from(x, 'base64url'),
      comment,
      randomBytes(4),
    );
    return { value };
  },
  validate(value: string): boolean {
    try {
      parseOpenSshEd25519(value);
      return true;
    } catch {
      return false;
    }
  },
  core(value: string): string {
    let parsed: ParsedKey;
    try {
      parsed = parseOpenSshEd25519(value);
    } catch {
      throw notThisFormat(sshEd25519);
    }
    return seedCore(parsed);
  },
  decoy(token: GeneratedToken) {
    return { defaultName: '.ssh/id_ed25519', content: `${token.value}\n`, mode: 0o600 };
  },
};
