// OTLP/HTTP logs sink: an ExportLogsServiceRequest per batch, as protobuf (application/x-protobuf) or as OTLP/JSON
// (application/json: lowerCamelCase names, 64-bit integers as decimal strings, enums as numbers). One resource
// (service.name=grith, host.name), one scope (grith), one LogRecord per event with the chain witness as attributes.
import type { OtlpSink } from '../../core/sink-config.js';
import type { Severity } from '../../core/severity.js';
import { netted, type OutgoingAlert } from '../delivery/alert.js';
import { postOk } from './http.js';
import { PbMessage } from './protobuf.js';
import { asciiJson, type Transport } from './transport.js';

/** OTel SeverityNumber: FATAL 21, ERROR 17, WARN 13, INFO2 10, INFO 9. */
export const OTLP_SEVERITY: Record<Severity, number> = { critical: 21, high: 17, medium: 13, low: 10, info: 9 };

type Attr = [string, string | number | boolean];

export const SCOPE_NAME = 'grith';

export function recordAttributes(a: OutgoingAlert): Attr[] {
  const e = a.event;
  const out: Attr[] = [
    ['grith.seq', e.seq],
    ['grith.hash', e.hash],
    ['grith.kind', e.kind],
    ['grith.severity', a.severity],
    ['grith.guard', e.guard],
    ['grith.action', e.action],
  ];
  const opt: [string, string | number | undefined][] = [
    ['grith.kid', e.kid],
    ['grith.prev_hash', e.prevHash],
    ['grith.canary.id', e.canaryId],
    ['grith.canary.label', e.label],
    ['grith.canary.fingerprint', e.fingerprint],
    ['grith.variant', e.variant],
    ['grith.where', e.where],
    ['grith.session', e.session],
    ['process.pid', e.pid],
    ['process.command_line', e.cmdline],
    ['grith.message', e.message],
    ['grith.suppressed', a.suppressed],
  ];
  for (const [k, v] of opt) if (v !== undefined && v !== '') out.push([k, v]);
  for (const [k, v] of Object.entries(e.detail ?? {})) out.push([`grith.detail.${k}`, v]);
  if (a.withheld) out.push(['grith.withheld', true]);
  return out;
}

function nanos(iso: string): bigint {
  const ms = Date.parse(iso);
  return BigInt(Number.isFinite(ms) ? ms : Date.now()) * 1_000_000n;
}

// ---- protobuf (opentelemetry/proto/collector/logs/v1 ExportLogsServiceRequest) ----

function pbAnyValue(v: string | number | boolean): PbMessage {
  const m = new PbMessage();
  if (typeof v === 'string') return m.bytes(1, Buffer.from(v, 'utf8')); // string_value (written even when empty)
  if (typeof v === 'boolean') return m.varint(2, v); // bool_value
  if (Number.isInteger(v)) return m.varint(3, BigInt(v)); // int_value
  return m.double(4, v); // double_value
}

function pbKeyValue([k, v]: Attr): PbMessage {
  return new PbMessage().string(1, k).message(2, pbAnyValue(v));
}

function resourceAttrs(host: string): Attr[] {
  return [
    ['service.name', 'grith'],
    ['host.name', host],
  ];
}

export function otlpProtobuf(alerts: OutgoingAlert[], version: string): Buffer {
  const scope = new PbMessage().string(1, SCOPE_NAME).string(2, version);
  const scopeLogs = new PbMessage().message(1, scope);
  const observed = BigInt(Date.now()) * 1_000_000n;
  for (const a of alerts) {
    const rec = new PbMessage()
      .fixed64(1, nanos(a.event.ts)) // time_unix_nano
      .varint(2, OTLP_SEVERITY[a.severity]) // severity_number
      .string(3, a.severity.toUpperCase()) // severity_text
      .message(5, pbAnyValue(a.summary)); // body
    for (const kv of recordAttributes(a)) rec.message(6, pbKeyValue(kv)); // attributes
    rec.fixed64(11, observed); // observed_time_unix_nano
    rec.string(12, a.event.kind); // event_name
    scopeLogs.message(2, rec); // log_records
  }
  const resource = new PbMessage();
  for (const kv of resourceAttrs(alerts[0]?.host ?? '')) resource.message(1, pbKeyValue(kv));
  const resourceLogs = new PbMessage().message(1, resource).message(2, scopeLogs);
  return new PbMessage().message(1, resourceLogs).finish();
}

// ---- OTLP/JSON ----

function jsonAnyValue(v: string | number | boolean): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Number.isInteger(v)) return { intValue: String(v) };
  return { doubleValue: v };
}

function jsonAttrs(attrs: Attr[]): { key: string; value: Record<string, unknown> }[] {
  return attrs.map(([key, v]) => ({ key, value: jsonAnyValue(v) }));
}

export function otlpJson(alerts: OutgoingAlert[], version: string): Record<string, unknown> {
  const observed = String(BigInt(Date.now()) * 1_000_000n);
  return {
    resourceLogs: [
      {
        resource: { attributes: jsonAttrs(resourceAttrs(alerts[0]?.host ?? '')) },
        scopeLogs: [
          {
            scope: { name: SCOPE_NAME, version },
            logRecords: alerts.map((a) => ({
              timeUnixNano: String(nanos(a.event.ts)),
              observedTimeUnixNano: observed,
              severityNumber: OTLP_SEVERITY[a.severity],
              severityText: a.severity.toUpperCase(),
              eventName: a.event.kind,
              body: { stringValue: a.summary },
              attributes: jsonAttrs(recordAttributes(a)),
            })),
          },
        ],
      },
    ],
  };
}

export function otlpTransport(cfg: Pick<OtlpSink, 'url' | 'encoding' | 'headers' | 'ca'>, version: string): Transport {
  return {
    maxBatch: 200,
    async send(alerts, { net, signal, timeoutMs }) {
      const common = { headers: cfg.headers, signal, timeoutMs, ...(cfg.ca ? { ca: cfg.ca } : {}) };
      if (cfg.encoding === 'json') {
        const body = netted(alerts, (as) => asciiJson(otlpJson(as, version)), (b) => b, net);
        await postOk(cfg.url, body, { ...common, contentType: 'application/json' });
      } else {
        const body = netted(alerts, (as) => otlpProtobuf(as, version), (b) => b, net);
        await postOk(cfg.url, body, { ...common, contentType: 'application/x-protobuf' });
      }
    },
  };
}
