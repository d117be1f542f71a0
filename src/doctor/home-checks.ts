// Requirements on grith's own state: the home folder's mode, the canary store, the proxy CA.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, statSync, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { caPaths } from '../guards/proxy/tls-ca.js';
import { caDir, homeProblem, storePath } from '../store/home.js';
import { readStoreFile } from '../store/store-file.js';
import { firstLine, missing, ok, warn, type CheckResult } from './check.js';

const DAY = 86_400_000;

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

export function checkHomeMode(home: string): CheckResult {
  const title = 'home folder';
  const st = statOrNull(home);
  if (!st) return ok('home', title, `${home} does not exist yet (created with mode 0700 on first use)`);
  const problem = homeProblem(home, st);
  if (problem) return missing('home', title, problem.message, problem.hint);
  return ok('home', title, `${home} (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')})`);
}

/** The home's mode can be fixed in place when it is ours: chmod 700 keeps every file in it. */
export function homeModeFixable(home: string): boolean {
  const st = statOrNull(home);
  return !!st && st.isDirectory() && (st.uid === process.getuid?.() || process.getuid?.() === 0) && (st.mode & 0o022) !== 0;
}

export async function checkStore(home: string): Promise<CheckResult> {
  const title = 'canary store';
  const file = storePath(home);
  try {
    const doc = await readStoreFile(file);
    if (!doc) return ok('store', title, `${file} does not exist yet (no canaries; grith canary add creates it)`);
    const n = doc.canaries.length;
    const mode = (statSync(file).mode & 0o777).toString(8).padStart(4, '0');
    return ok('store', title, `${file}: ${n} canar${n === 1 ? 'y' : 'ies'}, schema ${doc.schema} v${doc.version}, mode ${mode}`);
  } catch (e) {
    return missing('store', title, firstLine(e), (e as { hint?: string }).hint);
  }
}

export async function checkCa(home: string): Promise<CheckResult> {
  const title = 'proxy CA';
  const paths = caPaths(caDir(home));
  const keySt = statOrNull(paths.keyFile);
  if (!keySt) {
    const left = [paths.certFile, paths.bundleFile].filter((f) => existsSync(f));
    if (left.length > 0) {
      return missing('ca', title, `key ${paths.keyFile} is missing but its certificate is still in ${left.join(' and ')}`, 'grith proxy ca --renew (then re-trust the new certificate)');
    }
    return ok('ca', title, `not created yet (created on first use in ${paths.dir})`);
  }
  const renew = 'grith proxy ca --renew (then re-trust the new certificate)';
  let pem: string;
  try {
    pem = await readFile(paths.keyFile, 'utf8');
  } catch (e) {
    return missing('ca', title, `cannot read ${paths.keyFile}: ${(e as NodeJS.ErrnoException).code ?? firstLine(e)}`, 'run grith as the user who owns it');
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0] ?? '');
    const key = createPrivateKey(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(pem)?.[0] ?? '');
    if (!cert.checkPrivateKey(key)) throw new Error('the certificate does not belong to the private key');
  } catch (e) {
    return missing('ca', title, `${paths.keyFile} is unusable: ${firstLine(e)}`, renew);
  }
  const mode = keySt.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    return missing('ca', title, `key ${paths.keyFile} has mode ${mode.toString(8).padStart(4, '0')}: others may read it`, `chmod 600 ${paths.keyFile}, or run grith doctor --fix`);
  }
  const left = Math.floor((new Date(cert.validTo).getTime() - Date.now()) / DAY);
  const detail = `${paths.certFile} (key mode 0600, expires ${new Date(cert.validTo).toISOString().slice(0, 10)})`;
  if (left < 0) return missing('ca', title, `the CA certificate expired on ${new Date(cert.validTo).toISOString().slice(0, 10)}`, renew);
  if (left < 30) return warn('ca', title, `${detail}: ${left} days left`, renew);
  return ok('ca', title, detail);
}

/** The CA key's mode can be fixed in place when it is ours. */
export function caKeyFixable(home: string): string | null {
  const key = caPaths(caDir(home)).keyFile;
  const st = statOrNull(key);
  return st && (st.uid === process.getuid?.() || process.getuid?.() === 0) && (st.mode & 0o077) !== 0 ? key : null;
}
