// grith proxy ca: where grith's interception CA is, and a bundle (system roots + grith CA) for SSL_CERT_FILE;
// --renew replaces the CA deliberately (old files set aside) and says what must trust the new one.
import { Flags } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { writeCaBundle } from '../../src/guards/proxy/ca-bundle.js';
import { openCa, renewCa } from '../../src/session/proxy-session.js';
import { resolveHome } from '../../src/store/home.js';

export default class ProxyCa extends GrithCommand {
  static override summary = 'Print the proxy CA certificate path and write a CA bundle for clients (created on first use)';
  static override description = `The CA lives in $GRITH_HOME/ca (key mode 0600). grith never replaces it on its own: when the key is
missing or damaged, or the certificate expired, commands that need it stop and point here. --renew sets the old
files aside (*.replaced-DATE) and creates a new CA; everything that trusted the old certificate must trust the new
one, and running grith proxy / grith shell sessions must be restarted.`;
  static override examples = [
    '<%= config.bin %> proxy ca',
    'export SSL_CERT_FILE=$(<%= config.bin %> proxy ca --json | jq -r .bundle)',
    '<%= config.bin %> proxy ca --renew',
  ];
  static override flags = {
    renew: Flags.boolean({ description: 'create a new CA, setting the old one aside (clients must re-trust)', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ProxyCa);
    const home = resolveHome();
    const renewed = flags.renew ? await renewCa(home) : null;
    const info = await writeCaBundle(renewed ? renewed.ca : await openCa(home));
    const retrust = renewed
      ? [
          `copies of the old certificate you installed (e.g. /usr/local/share/ca-certificates: copy ${info.caCert} there and run update-ca-certificates)`,
          'NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, REQUESTS_CA_BUNDLE, GIT_SSL_CAINFO or npm cafile settings that point at a copy',
          'browsers or keychains you imported it into',
          'running grith proxy and grith shell sessions (restart them)',
        ]
      : [];
    this.out(renewed ? { ...info, renewed: true, setAside: renewed.setAside, retrust } : info, () =>
      [
        ...(renewed
          ? [`new proxy CA created${renewed.setAside.length ? `; old files set aside: ${renewed.setAside.join(', ')}` : ''}`]
          : []),
        `CA certificate: ${info.caCert}`,
        `CA bundle: ${info.bundle} (${info.systemBundle ? `${info.systemBundle} + grith CA` : 'grith CA only: no system bundle found'})`,
        `clients: SSL_CERT_FILE / REQUESTS_CA_BUNDLE / GIT_SSL_CAINFO / npm_config_cafile = bundle; NODE_EXTRA_CA_CERTS = CA certificate`,
        ...(renewed ? ['re-trust the new certificate wherever the old one was trusted:', ...retrust.map((r) => `  - ${r}`)] : []),
      ].join('\n'),
    );
  }
}
