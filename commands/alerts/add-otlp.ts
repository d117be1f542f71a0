// grith alerts add-otlp: OTLP logs over HTTP (protobuf or JSON) to an OpenTelemetry collector.
import { Args, Flags } from '@oclif/core';
import { GrithCommand } from '../../src/cli/base-command.js';
import { commonSinkInput, fromEnv, readCaFile, sinkFlags, sinkLine } from '../../src/cli/sink-view.js';
import { normalizeOtlpUrl, parseHeader } from '../../src/core/sink-config.js';
import { addSink } from '../../src/events/delivery/admin.js';
import { resolveHome } from '../../src/store/home.js';

export default class AlertsAddOtlp extends GrithCommand {
  static override summary = 'Deliver every event to an OpenTelemetry collector (OTLP/HTTP logs, protobuf or JSON)';
  static override description = `POSTs an ExportLogsServiceRequest to URL (a URL without a path gets /v1/logs). Resource:
service.name=grith, host.name; scope grith; one LogRecord per event: body = one-line summary, severity FATAL for
canary.fired, ERROR for canary.read/context/persisted, event_name = the kind, attributes grith.seq, grith.hash
(the chain witness), grith.kind, grith.canary.id, grith.canary.fingerprint, grith.where… Header values (e.g. an
API key) are stored in the store and never shown; prefer --header-env NAME=VAR to keep them out of shell history.
Lossless: events recorded while the collector is down are sent in order once it is back. Exit 2 on a bad URL.`;
  static override examples = [
    '<%= config.bin %> alerts add-otlp http://127.0.0.1:4318',
    '<%= config.bin %> alerts add-otlp https://otel.example.com/v1/logs --encoding json --header x-scope-orgid=security',
    'OTEL_KEY=… <%= config.bin %> alerts add-otlp https://api.vendor.example/v1/logs --header-env authorization=OTEL_KEY --json',
  ];
  static override args = { url: Args.string({ description: 'the collector\'s OTLP/HTTP logs URL', required: true }) };
  static override flags = {
    header: Flags.string({ description: 'extra request header NAME=VALUE (repeatable)', multiple: true }),
    'header-env': Flags.string({ description: 'extra header NAME=VAR, the value read from environment variable VAR (repeatable)', multiple: true }),
    encoding: Flags.string({ description: 'protobuf (application/x-protobuf) or json', options: ['protobuf', 'json'], default: 'protobuf' }),
    ca: Flags.string({ description: 'PEM file with a CA to trust for https (besides the system CAs)' }),
    ...sinkFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AlertsAddOtlp);
    const url = normalizeOtlpUrl(args.url);
    const headers: Record<string, string> = {};
    for (const h of flags.header ?? []) {
      const [k, v] = parseHeader(h);
      headers[k] = v;
    }
    for (const h of flags['header-env'] ?? []) {
      const [k, env] = parseHeader(h);
      headers[k] = fromEnv(env, `header ${k}`);
    }
    const ca = await readCaFile(flags.ca);
    const view = await addSink(resolveHome(), {
      type: 'otlp',
      url,
      encoding: flags.encoding === 'json' ? 'json' : 'protobuf',
      headers,
      ...(ca ? { ca } : {}),
      ...commonSinkInput(flags),
    });
    this.out(view, () => `alert sink added: ${sinkLine(view)}`);
  }
}
