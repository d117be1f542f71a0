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

/** Node's bundled roots + the system bundle (a corporate root lives there) + the user's private CA, if given. */
export async function upstreamTrust(opts: { upstreamCaFile?: string; systemBundles?: readonly string[] } = {}): Promise<string[]> {
  const ca = [...rootCertificates];
  const system = await readSystemBundle(opts.systemBundles);
  if (system) ca.push(system.pem);
  if (opts.upstreamCaFile) {
    const pem = await readFile(opts.upstreamCaFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new ProxyError(`cannot read --upstream-ca ${opts.upstreamCaFile}: ${e.code ?? e.message}`, 'pass a PEM file with the CA certificate');
    });
    if (!pem.includes('BEGIN CERTIFICATE'))
      throw new ProxyError(`--upstream-ca ${opts.upstreamCaFile} holds no PEM certificate`, 'pass a PEM file with the CA certificate');
    ca.push(pem);
  }
  return ca;
}
