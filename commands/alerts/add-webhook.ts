// grith alerts add-webhook: POST every canary.fired / canary.read event to a URL.
import { Args, Flags } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { addWebhook } from '../../src/session/alert-sinks.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsAddWebhook extends GrithCommand {
  static override summary = 'Send each canary.fired and canary.read event to a webhook as JSON';
  static override description = `Every running guard POSTs {"source":"grith","event":{…}} to the URL (events never hold a
token value). With --secret, the body is signed: header X-Grith-Signature-256: sha256=HMAC-SHA256(secret, body).
Failed deliveries are retried with exponential backoff (6 attempts); a guard's decision never waits for them.
Set the secret from an environment variable with --secret-env to keep it out of your shell history.`;
  static override examples = [
    '<%= config.bin %> alerts add-webhook https://hooks.example.com/grith',
    'GRITH_WEBHOOK_SECRET=s3cret <%= config.bin %> alerts add-webhook https://siem.internal/in --secret-env GRITH_WEBHOOK_SECRET',
  ];
  static override args = { url: Args.string({ description: 'http(s) URL of the receiver', required: true }) };
  static override flags = {
    secret: Flags.string({ description: 'HMAC-SHA256 signing secret', exclusive: ['secret-env'] }),
    'secret-env': Flags.string({ description: 'read the signing secret from this environment variable' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AlertsAddWebhook);
    let secret = flags.secret;
    if (flags['secret-env']) {
      secret = process.env[flags['secret-env']];
      if (!secret) this.error(`environment variable ${flags['secret-env']} is empty or unset`, { exit: 2 });
    }
    const hooks = await addWebhook(resolveHome(), args.url, secret);
    this.out(hooks, () => `webhooks now:\n${hooks.map((h) => `  ${h.index}. ${h.url}${h.signed ? ' (signed)' : ''}`).join('\n')}`);
  }
}
