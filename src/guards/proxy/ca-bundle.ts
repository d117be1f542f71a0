// A CA bundle for clients of the proxy: the system roots followed by grith's CA, for SSL_CERT_FILE-style variables.
import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { ProxyError } from '../../core/errors.js';
import type { CertificateAuthority } from './tls-ca.js';
import { readSystemBundle, SYSTEM_BUNDLES } from './upstream-trust.js';

export interface CaBundleInfo {
  caCert: string;
  bundle: string;
  /** The system bundle it was built from (null when none was found: the bundle holds grith's CA alone). */
  systemBundle: string | null;
}

export async function writeCaBundle(ca: CertificateAuthority, systemBundles: readonly string[] = SYSTEM_BUNDLES): Promise<CaBundleInfo> {
  const system = await readSystemBundle(systemBundles);
  const file = ca.paths.bundleFile;
  const text = (system ? system.pem.replace(/\s*$/, '\n') : '') + `# grith local interception CA\n${ca.certPem}`;
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new ProxyError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return { caCert: ca.paths.certFile, bundle: file, systemBundle: system?.file ?? null };
}
