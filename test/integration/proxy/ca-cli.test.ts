// The proxy CA from the command line: a key gone while its certificate is still around stops every command that
// needs the CA with one clear line; `grith proxy ca --renew` replaces it deliberately and says what to re-trust.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { grith, tempHome } from '../../support/cli.js';

describe('grith proxy ca', () => {
  it('regression: a deleted CA key is refused instead of silently minting a new CA; --renew replaces it', async () => {
    const home = await tempHome();
    const first = await grith(['proxy', 'ca', '--json'], { home });
    expect(first.code, first.stderr).toBe(0);
    const { caCert, bundle } = JSON.parse(first.stdout) as { caCert: string; bundle: string };
    const oldCert = await readFile(caCert, 'utf8');
    const keyFile = path.join(path.dirname(caCert), 'grith-ca.key');
    await rm(keyFile);

    const missingKey = /^grith: proxy CA key .*grith-ca\.key is missing, but its certificate is still in .*grith-ca\.crt and .*bundle\.crt: .*grith proxy ca --renew/;
    for (const args of [['proxy', 'ca'], ['proxy', '--port', '0']]) {
      const r = await grith(args, { home });
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(missingKey);
    }
    // A shell session refuses at start, not at its first HTTPS connection.
    const sh = await grith(['shell', '-c', 'echo should-not-run'], { home, env: { GRITH_SHELL_HOST: '0' } });
    expect(sh.code).toBe(2);
    expect(sh.stdout).not.toContain('should-not-run');
    expect(sh.stderr).toMatch(missingKey);
    const j = await grith(['proxy', 'ca', '--json'], { home });
    expect(JSON.parse(j.stdout).error).toMatchObject({ code: 'CA_KEY_MISSING' });
    expect(existsSync(keyFile)).toBe(false);
    expect(await readFile(caCert, 'utf8')).toBe(oldCert);

    const renew = await grith(['proxy', 'ca', '--renew', '--json'], { home });
    expect(renew.code, renew.stderr).toBe(0);
    const info = JSON.parse(renew.stdout) as { renewed: boolean; setAside: string[]; retrust: string[]; caCert: string; bundle: string };
    expect(info.renewed).toBe(true);
    expect(info.bundle).toBe(bundle);
    expect(info.retrust.join('\n')).toMatch(/update-ca-certificates/);
    expect(info.retrust.join('\n')).toMatch(/restart/);
    expect(await readFile(info.setAside.find((f) => f.includes('grith-ca.crt'))!, 'utf8')).toBe(oldCert);
    expect(await readFile(caCert, 'utf8')).not.toBe(oldCert);
    expect((await grith(['proxy', 'ca'], { home })).code).toBe(0);

    const text = await grith(['proxy', 'ca', '--renew'], { home });
    expect(text.stdout).toMatch(/^new proxy CA created; old files set aside: /);
    expect(text.stdout).toMatch(/re-trust the new certificate wherever the old one was trusted/);
  });
});
