// grith proxy: run the HTTP(S) proxy that stops canaries on the network path, in the foreground.
import { Flags } from '@oclif/core';
import { stderrBanner } from '../src/session/banner.js';
import { GrithCommand } from '../src/cli/base-command.js';
import { startProxySession } from '../src/session/proxy-session.js';
import { resolveHome } from '../src/store/home.js';

export default class Proxy extends GrithCommand {
  static override summary = 'Run a local HTTP(S) proxy that refuses any request carrying a canary';
  static override description = `Listens on 127.0.0.1 only. HTTPS is intercepted with grith's CA (created on first use in
$GRITH_HOME/ca; trust it with the bundle from "grith proxy ca"). Everything a client sends is scanned — request line,
headers, bodies (chunked, gzip, deflate, br, multipart), WebSocket frames, raw tunnels, git push packs — and bytes
are forwarded only once no canary can still complete. A hit is refused with 403 (or a reset once the response has
begun) and recorded as canary.fired. If the store cannot be read, every request gets 503.`;
  static override examples = [
    '<%= config.bin %> proxy --port 8899',
    'HTTPS_PROXY=http://127.0.0.1:8899 SSL_CERT_FILE=$(<%= config.bin %> proxy ca --json | jq -r .bundle) curl https://example.com',
    '<%= config.bin %> proxy --upstream-ca corp-root.pem --auth',
  ];
  static override flags = {
    quiet: Flags.boolean({ description: 'do not print a line on stderr for each canary fired or decoy read (the event log has them)', default: false }),
    port: Flags.integer({ description: 'port on 127.0.0.1 (default: a free one)', min: 0, max: 65535 }),
    'upstream-ca': Flags.string({ description: 'PEM file of an extra CA trusted for upstream servers' }),
    auth: Flags.boolean({ description: 'require a per-session credential (it is part of the printed URL)', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Proxy);
    const session = await startProxySession({
      onRecorded: stderrBanner(flags.quiet),
      home: resolveHome(),
      port: flags.port,
      upstreamCaFile: flags['upstream-ca'],
      auth: flags.auth,
    });
    const { server, ca } = session;
    const info = { url: server.url, host: '127.0.0.1', port: server.port, auth: server.token !== null, caCert: ca.caCert, caBundle: ca.bundle };
    this.out(info, () =>
      [
        `grith proxy listening on ${server.url}`,
        `CA certificate: ${ca.caCert}`,
        `CA bundle (system roots + grith CA): ${ca.bundle}`,
        `use: HTTPS_PROXY=${server.url} HTTP_PROXY=${server.url} SSL_CERT_FILE=${ca.bundle} — Ctrl-C to stop`,
      ].join('\n'),
    );
    const snap = session.ctx.snapshot();
    if (snap.error) process.stderr.write(`grith: warning: ${snap.error.message} — every request is refused until it is fixed\n`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    await session.stop();
    if (!this.jsonMode()) process.stderr.write(`grith proxy stopped (${signal})\n`);
  }
}
