// The proxy's certificate authority: created once in $GRITH_HOME/ca, then mints (and caches) a leaf per host.
//
// EC P-256 through @peculiar/x509 on node's webcrypto: a leaf costs a few ms (RSA in JS costs hundreds).
// The key file holds the CA key and certificate together so that one atomic link() publishes both;
// grith-ca.crt is derived from it and may be rewritten, the key file never is.
import { createPrivateKey, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import './reflect-shim.js';
import * as x509 from '@peculiar/x509';
import { GrithError } from '../../core/errors.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export class CaUnreadableError extends GrithError {
  readonly code = 'CA_UNREADABLE';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(
      `proxy CA ${file} is unusable: ${detail}`,
      `grith never overwrites it; grith proxy ca --renew sets it aside and creates a new CA (which clients must then trust)`,
    );
  }
}

/** The key is gone but its certificate is still out there: a silent new CA would break every client trusting it. */
export class CaKeyMissingError extends GrithError {
  readonly code = 'CA_KEY_MISSING';
  constructor(
    readonly keyFile: string,
    readonly certificates: string[],
  ) {
    super(
      `proxy CA key ${keyFile} is missing, but its certificate is still in ${certificates.join(' and ')}: ` +
        'clients that trust it would reject a new CA',
      'grith does not replace a CA silently; run grith proxy ca --renew to create a new one, then re-trust it',
    );
  }
}

export interface CaPaths {
  dir: string;
  /** CA private key and certificate (PEM), mode 0600. */
  keyFile: string;
  /** CA certificate (PEM), what clients trust (curl --cacert, NODE_EXTRA_CA_CERTS, ...). */
  certFile: string;
  /** System roots + the CA certificate, for SSL_CERT_FILE-style variables (ca-bundle.ts writes it). */
  bundleFile: string;
}

export function caPaths(dir: string): CaPaths {
  return { dir, keyFile: path.join(dir, 'grith-ca.key'), certFile: path.join(dir, 'grith-ca.crt'), bundleFile: path.join(dir, 'bundle.crt') };
}

export interface LeafMaterial {
  certPem: string;
  keyPem: string;
}

export class CertificateAuthority {
  private readonly leaves = new Map<string, Promise<SecureContext>>();
  private leafKeys: Promise<{ keys: CryptoKeyPair; keyPem: string }> | null = null;

  private constructor(
    readonly paths: CaPaths,
    readonly certPem: string,
    private readonly cert: x509.X509Certificate,
    private readonly key: CryptoKey,
    private readonly maxCached: number,
  ) {}

  /**
   * Load the CA from dir, creating it on first use. A present but unusable CA is a CaUnreadableError; a missing key
   * whose certificate is still around is a CaKeyMissingError (renew() replaces it deliberately).
   */
  static async open(dir: string, opts: { maxCached?: number } = {}): Promise<CertificateAuthority> {
    const paths = caPaths(dir);
    let pem = await readIfExists(paths.keyFile);
    if (pem === null) {
      const left = [paths.certFile, paths.bundleFile].filter((f) => existsSync(f));
      if (left.length > 0) throw new CaKeyMissingError(paths.keyFile, left);
      pem = await createCa(paths);
    }
    const { cert, key, certPem } = await parseCa(paths.keyFile, pem);
    await ensureCertFile(paths.certFile, certPem);
    return new CertificateAuthority(paths, certPem, cert, key, opts.maxCached ?? 1000);
  }

  /** A new CA in dir; the files of the old one are renamed (*.replaced-DATE), never deleted. */
  static async renew(dir: string, opts: { maxCached?: number } = {}): Promise<{ ca: CertificateAuthority; setAside: string[] }> {
    const paths = caPaths(dir);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const setAside: string[] = [];
    for (const f of [paths.keyFile, paths.certFile, paths.bundleFile]) {
      if (!existsSync(f)) continue;
      try {
        await rename(f, `${f}.replaced-${stamp}`);
      } catch (e) {
        throw new CaUnreadableError(f, `cannot set it aside: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      setAside.push(`${f}.replaced-${stamp}`);
    }
    return { ca: await CertificateAuthority.open(dir, opts), setAside };
  }

  /** A TLS server context presenting a leaf for host (DNS name or IP literal), minted once and cached. */
  secureContext(host: string): Promise<SecureContext> {
    const name = normalizeHost(host);
    let ctx = this.leaves.get(name);
    if (ctx) {
      // Refresh recency for the LRU bound.
      this.leaves.delete(name);
      this.leaves.set(name, ctx);
      return ctx;
    }
    ctx = this.mintLeaf(name).then((m) =>
      createSecureContext({ cert: m.certPem + this.certPem, key: m.keyPem, minVersion: 'TLSv1.2' }),
    );
    ctx.catch(() => this.leaves.delete(name));
    this.leaves.set(name, ctx);
    if (this.leaves.size > this.maxCached) {
      const oldest = this.leaves.keys().next().value;
      if (oldest !== undefined) this.leaves.delete(oldest);
    }
    return ctx;
  }

  /** Mint a leaf certificate for host. One key pair per process serves every leaf: it never leaves memory. */
  async mintLeaf(host: string): Promise<LeafMaterial> {
    const name = normalizeHost(host);
    this.leafKeys ??= (async () => {
      const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
      const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
      return { keys, keyPem: toPem('PRIVATE KEY', pkcs8) };
    })();
    const { keys, keyPem } = await this.leafKeys;
    const now = Date.now();
    const san = isIP(name) ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name };
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: new x509.Name([{ '2.5.4.3': [name.length <= 64 ? name : 'grith intercepted host'] }]),
      issuer: this.cert.subjectName,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 365 * DAY),
      signingAlgorithm: SIGN,
      publicKey: keys.publicKey,
      signingKey: this.key,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([san]),
        await x509.AuthorityKeyIdentifierExtension.create(this.cert),
      ],
    });
    return { certPem: cert.toString('pem') + '\n', keyPem };
  }
}

function normalizeHost(host: string): string {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return h.toLowerCase();
}

function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive INTEGER
  return b.toString('hex');
}

function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return null;
    throw new CaUnreadableError(file, err.code === 'EACCES' ? 'permission denied' : (err.code ?? err.message));
  }
}

async function createCa(paths: CaPaths): Promise<string> {
  try {
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new CaUnreadableError(paths.keyFile, `cannot create ${paths.dir}: ${(e as NodeJS.ErrnoException).code}`);
  }
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=grith local interception CA ${randomBytes(4).toString('hex')}, O=grith`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    signingAlgorithm: SIGN,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const pem = toPem('PRIVATE KEY', pkcs8) + cert.toString('pem') + '\n';
  const tmp = `${paths.keyFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, pem, { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600);
    // link() fails if another process published its CA first: theirs wins, ours is discarded.
    await link(tmp, paths.keyFile).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  } catch (e) {
    throw new CaUnreadableError(paths.keyFile, `cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  const winner = await readIfExists(paths.keyFile);
  if (winner === null) throw new CaUnreadableError(paths.keyFile, 'vanished while being created');
  return winner;
}

async function parseCa(
  file: string,
  pem: string,
): Promise<{ cert: x509.X509Certificate; key: CryptoKey; certPem: string }> {
  const keyMatch = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(pem);
  const certMatch = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  if (!keyMatch) throw new CaUnreadableError(file, 'no private key in it');
  if (!certMatch) throw new CaUnreadableError(file, 'no certificate in it');
  let cert: x509.X509Certificate;
  let keyObj: ReturnType<typeof createPrivateKey>;
  try {
    keyObj = createPrivateKey(keyMatch[0]);
  } catch {
    throw new CaUnreadableError(file, 'the private key does not parse');
  }
  try {
    cert = new x509.X509Certificate(certMatch[0]);
  } catch {
    throw new CaUnreadableError(file, 'the certificate does not parse');
  }
  const keyDer = createPublicKey(keyObj).export({ type: 'spki', format: 'der' });
  if (!Buffer.from(cert.publicKey.rawData).equals(keyDer))
    throw new CaUnreadableError(file, 'the certificate does not belong to the private key');
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) throw new CaUnreadableError(file, 'the certificate is not a CA certificate');
  if (cert.notAfter.getTime() < Date.now()) throw new CaUnreadableError(file, 'the CA certificate has expired');
  let key: CryptoKey;
  try {
    const der = keyObj.export({ type: 'pkcs8', format: 'der' });
    key = await webcrypto.subtle.importKey('pkcs8', der, EC, false, ['sign']);
  } catch {
    throw new CaUnreadableError(file, 'the private key is not an EC P-256 key');
  }
  return { cert, key, certPem: cert.toString('pem') + '\n' };
}

/** The public certificate is derived data: (re)written atomically whenever it is missing or differs. */
async function ensureCertFile(file: string, certPem: string): Promise<void> {
  const current = await readFile(file, 'utf8').catch(() => null);
  if (current === certPem) return;
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, certPem, { mode: 0o644 });
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new CaUnreadableError(file, `cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
