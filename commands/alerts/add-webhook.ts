// grith alerts add-webhook: POST alerts to a URL as JSON, optionally signed.
import { Args, Flags } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { commonSinkInput, fromEnv, sinkFlags, sinkLine } from '../../src/cli/sink-view.js';
import { validateHttpUrl } from '../../src/core/sink-config.js';
import { addSink } from '../../src/events/delivery/admin.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsAddWebhook extends GrithCommand {
  static override summary = 'Deliver alerts to a webhook as JSON (signed with --secret-env)';
  static override description = `Each event is POSTed as {"source":"grith","severity","summary","host","event":{…}}; the event
carries seq and the chain hash (a remote witness for grith events --verify --against). With a secret the body is
signed: X-Grith-Signature-256: sha256=HMAC-SHA256(secret, body). By default events of severity high and above
(canary.fired, canary.read, canary.context, canary.persisted, guard.degraded) are sent. Delivery is lossless:
a receiver that is down gets every event, in order, once it is back (grith alerts status shows the lag).
Exit 2 on a bad URL.`;
  static override examples = [
    '<%= config.bin %> alerts add-webhook https://hooks.example.com/grith',
    'GRITH_WEBHOOK_SECRET=s3cret <%= config.bin %> alerts add-webhook https://siem.internal/in --secret-env GRITH_WEBHOOK_SECRET',
    '<%= config.bin %> alerts add-webhook https://hooks.example.com/all --min-severity info --json',
  ];
  static override args = { url: Args.string({ description: 'http(s) URL of the receiver', required: true }) };
  static override flags = {
    secret: Flags.string({ description: 'HMAC-SHA256 signing secret (prefer --secret-env)', exclusive: ['secret-env'] }),
    'secret-env': Flags.string({ description: 'read the signing secret from this environment variable' }),
    ...sinkFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AlertsAddWebhook);
    const secret = flags['secret-env'] ? fromEnv(flags['secret-env'], 'webhook secret') : flags.secret;
    const url = validateHttpUrl(args.url, 'webhook', 'https://hooks.example.com/grith');
    const view = await addSink(resolveHome(), { type: 'webhook', url, ...(secret ? { secret } : {}), ...commonSinkInput(flags) });
    this.out(view, () => `alert sink added: ${sinkLine(view)}`);
  }
}
