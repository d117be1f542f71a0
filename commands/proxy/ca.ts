// grith proxy ca: where grith's interception CA is, and a bundle (system roots + grith CA) for SSL_CERT_FILE.
import { GrithCommand } from '../../src/cli/base-command.js';
import { writeCaBundle } from '../../src/guards/proxy/ca-bundle.js';
import { openCa } from '../../src/session/proxy-session.js';
import { resolveHome } from '../../src/store/home.js';

export default class ProxyCa extends GrithCommand {
  static override summary = "Print the proxy CA certificate path and write a CA bundle for clients (created on first use)";
  static override examples = ['<%= config.bin %> proxy ca', 'export SSL_CERT_FILE=$(<%= config.bin %> proxy ca --json | jq -r .bundle)'];

  async run(): Promise<void> {
    await this.parse(ProxyCa);
    const info = await writeCaBundle(await openCa(resolveHome()));
    this.out(info, () =>
      [
        `CA certificate: ${info.caCert}`,
        `CA bundle: ${info.bundle} (${info.systemBundle ? `${info.systemBundle} + grith CA` : 'grith CA only: no system bundle found'})`,
        `clients: SSL_CERT_FILE / REQUESTS_CA_BUNDLE / GIT_SSL_CAINFO / npm_config_cafile = bundle; NODE_EXTRA_CA_CERTS = CA certificate`,
      ].join('\n'),
    );
  }
}
