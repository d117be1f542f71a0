// The proxy CA: created once with a private key file, reused, never overwritten when damaged; leaves verify against it.
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCaBundle } from '../../../../src/guards/proxy/ca-bundle.js';
import { CaKeyMissingError, CaUnreadableError, CertificateAuthority } from '../../../../src/guards/proxy/tls-ca.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
});

async function freshDir(): Promise<string> {
  const base = await mkdtemp(path.join(tmpdir(), 'grith-ca-'));
  made.push(base);
  return path.join(base, 'ca');
}

describe('CertificateAuthority', () => {
  it('creates the CA on first use with a 0600 key file and reuses it afterwards', async () => {
    const dir = await freshDir();
    const a = await CertificateAuthority.open(dir);
    expect((await stat(a.paths.keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const b = await CertificateAuthority.open(dir);
    expect(b.certPem).toBe(a.certPem);
    expect(await readFile(a.paths.certFile, 'utf8')).toBe(a.certPem);
    const ca = new X509Certificate(a.certPem);
    expect(ca.ca).toBe(true);
  });

  it('two processes racing to create agree on one CA', async () => {
    const dir = await freshDir();
    const [a, b] = await Promise.all([CertificateAuthority.open(dir), CertificateAuthority.open(dir)]);
    expect(a.certPem).toBe(b.certPem);
  });

  it('mints leaves for DNS names and IP addresses that chain to the CA', async () => {
    const ca = await CertificateAuthority.open(await freshDir());
    const caCert = new X509Certificate(ca.certPem);
    const dns = new X509Certificate((await ca.mintLeaf('Example.COM')).certPem);
    expect(dns.checkIssued(caCert)).toBe(true);
    expect(dns.verify(caCert.publicKey)).toBe(true);
    expect(dns.checkHost('example.com')).toBe('example.com');
    expect(dns.ca).toBe(false);
    const ip = new X509Certificate((await ca.mintLeaf('127.0.0.1')).certPem);
    expect(ip.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(ip.checkHost('example.com')).toBeUndefined();
    const long = 'a'.repeat(60) + '.' + 'b'.repeat(60) + '.example.com';
    expect(new X509Certificate((await ca.mintLeaf(long)).certPem).checkHost(long)).toBe(long);
  });

  it('caches one secure context per host', async () => {
    const ca = await CertificateAuthority.open(await freshDir());
    const a = ca.secureContext('example.com');
    expect(ca.secureContext('EXAMPLE.com')).toBe(a);
    expect(ca.secureContext('example.org')).not.toBe(a);
    await a;
  });

  it('a corrupt key file is a typed error and is left untouched', async () => {
    const dir = await freshDir();
    const a = await CertificateAuthority.open(dir);
    await writeFile(a.paths.keyFile, 'garbage\n');
    const err = await CertificateAuthority.open(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaUnreadableError);
    expect((err as CaUnreadableError).code).toBe('CA_UNREADABLE');
    expect((err as Error).message).not.toContain('\n');
    expect(await readFile(a.paths.keyFile, 'utf8')).toBe('garbage\n');
  });

  it('a key file whose certificate belongs to another key is refused', async () => {
    const d1 = await freshDir();
    const d2 = await freshDir();
    const a = await CertificateAuthority.open(d1);
    const b = await CertificateAuthority.open(d2);
    const keyA = (await readFile(a.paths.keyFile, 'utf8')).split('-----BEGIN CERTIFICATE-----')[0];
    await writeFile(a.paths.keyFile, keyA + b.certPem);
    await expect(CertificateAuthority.open(d1)).rejects.toThrow(/does not belong/);
  });

  // root reads anything: the permission case cannot be staged there.
  it.skipIf(process.getuid?.() === 0)('an unreadable key file is a typed error', async () => {
    const dir = await freshDir();
    const a = await CertificateAuthority.open(dir);
    await chmod(a.paths.keyFile, 0o000);
    await expect(CertificateAuthority.open(dir)).rejects.toBeInstanceOf(CaUnreadableError);
  });

  it('regression: a missing key whose certificate is still there is refused, not silently replaced', async () => {
    const dir = await freshDir();
    const a = await CertificateAuthority.open(dir);
    await writeCaBundle(a, []);
    await rm(a.paths.keyFile);
    const err = await CertificateAuthority.open(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaKeyMissingError);
    expect((err as CaKeyMissingError).code).toBe('CA_KEY_MISSING');
    expect((err as Error).message).toContain(a.paths.certFile);
    expect((err as Error).message).toContain(a.paths.bundleFile);
    expect((err as CaKeyMissingError).hint).toMatch(/grith proxy ca --renew/);
    expect(existsSync(a.paths.keyFile)).toBe(false);
    expect(await readFile(a.paths.certFile, 'utf8')).toBe(a.certPem);
    // Only the bundle left behind (e.g. the certificate was deleted by hand) still counts as a reference.
    await rm(a.paths.certFile);
    await expect(CertificateAuthority.open(dir)).rejects.toBeInstanceOf(CaKeyMissingError);
  });

  it('renew sets every old file aside (never deletes) and creates a new CA', async () => {
    const dir = await freshDir();
    const a = await CertificateAuthority.open(dir);
    await writeCaBundle(a, []);
    const oldKey = await readFile(a.paths.keyFile, 'utf8');
    await rm(a.paths.keyFile);
    const { ca: b, setAside } = await CertificateAuthority.renew(dir);
    expect(b.certPem).not.toBe(a.certPem);
    expect(setAside).toHaveLength(2);
    expect(await readFile(setAside.find((f) => f.includes('grith-ca.crt'))!, 'utf8')).toBe(a.certPem);
    expect((await stat(b.paths.keyFile)).mode & 0o777).toBe(0o600);
    // A renew with a working key keeps the old key too, still 0600.
    const { setAside: second } = await CertificateAuthority.renew(dir);
    const keptKey = second.find((f) => f.includes('grith-ca.key'))!;
    expect((await stat(keptKey)).mode & 0o777).toBe(0o600);
    expect(await readFile(keptKey, 'utf8')).not.toBe(oldKey);
    expect((await readdir(dir)).filter((f) => f.includes('.replaced-'))).toHaveLength(4);
    expect((await CertificateAuthority.open(dir)).certPem).not.toBe(b.certPem);
  });

  it('a CA folder with no certificate anywhere is still created on first use', async () => {
    const dir = await freshDir();
    const a = await CertificateAuthority.open(dir);
    await rm(a.paths.keyFile);
    await rm(a.paths.certFile);
    expect((await CertificateAuthority.open(dir)).certPem).not.toBe(a.certPem);
  });
});
