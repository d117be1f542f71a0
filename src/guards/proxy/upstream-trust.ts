// Which certificate authorities upstream servers are verified against: node's roots, the system bundle, --upstream-ca.
import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { ProxyError } from '../../core/errors.js';

/** Where distributions keep the system CA bundle (Debian/Ubuntu, Fedora/RHEL, Alpine/macOS-style). */
export const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

export async function readSystemBundle(files: readonly string[] = SYSTEM_BUNDLES): Promise<{ file: string; pem: string } | null> {
  for (const file of files) {
    const pem = await readFile(file, 'utf8').catch(() => null);
    if (pem !== null && pem.includes('BEGIN CERTIFICATE')) return { file, pem };
  }
  return null;
}

export interface TrustOptions {
  /** --upstream-ca: must be readable PEM, or the proxy does not start. */
  upstreamCaFile?: string;
  upstreamCaFiles?: readonly string[];
  /** CAs the user already trusts elsewhere (their NODE_EXTRA_CA_CERTS, SSL_CERT_FILE): kept when readable. */
  extraCaFiles?: readonly string[];
  systemBundles?: readonly string[];
}

async function readCa(file: string, flag: string): Promise<string> {
  const pem = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ProxyError(`cannot read ${flag} ${file}: ${e.code ?? e.message}`, 'pass a PEM file with the CA certificate');
  });
  if (!pem.includes('BEGIN CERTIFICATE')) throw new ProxyError(`${flag} ${file} holds no PEM certificate`, 'pass a PEM file with the CA certificate');
  return pem;
}

/** Node's bundled roots + the system bundle (a corporate root lives there) + the user's private CAs. */
export async function upstreamTrust(opts: TrustOptions = {}): Promise<string[]> {
  const ca = [...rootCertificates];
  const system = await readSystemBundle(opts.systemBundles);
  if (system) ca.push(system.pem);
  for (const f of [...(opts.upstreamCaFile ? [opts.upstreamCaFile] : []), ...(opts.upstreamCaFiles ?? [])]) ca.push(await readCa(f, '--upstream-ca'));
  for (const f of opts.extraCaFiles ?? []) {
    const pem = await readFile(f, 'utf8').catch(() => '');
    if (pem.includes('BEGIN CERTIFICATE')) ca.push(pem);
  }
  return ca;
}
