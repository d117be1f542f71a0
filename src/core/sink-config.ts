// Alert sinks as stored in store.json (settings.sinks): their shapes, URL validation, defaults and the redacted
// form that may be shown. Pure: parsing and checking only.
import { InvalidInputError } from './errors.js';
import { isSeverity, type Severity } from './severity.js';

export type SinkType = 'webhook' | 'syslog' | 'otlp' | 'pagerduty' | 'slack';
export const SINK_TYPES: readonly SinkType[] = ['webhook', 'syslog', 'otlp', 'pagerduty', 'slack'];

interface SinkCommon {
  id: string;
  /** Events below this severity are skipped (alert.test always goes through). */
  minSeverity: Severity;
  /** The sink hears events with seq >= fromSeq (the log's next seq when it was added). */
  fromSeq: number;
  createdAt: string;
  /** Non-critical events per minute; over it they are counted as suppressed. Critical events always go. */
  ratePerMin?: number;
}

export interface WebhookSink extends SinkCommon {
  type: 'webhook';
  url: string;
  secret?: string;
}
export interface SyslogSink extends SinkCommon {
  type: 'syslog';
  /** syslog://HOST:PORT (TCP) or syslog+tls://HOST:PORT (TLS). */
  url: string;
  /** Extra CA certificate(s), PEM, trusted for TLS. */
  ca?: string;
  /** RFC 5424 facility number (default 4, auth). */
  facility: number;
}
export interface OtlpSink extends SinkCommon {
  type: 'otlp';
  /** The logs endpoint, e.g. http://collector:4318/v1/logs. */
  url: string;
  encoding: 'protobuf' | 'json';
  headers: Record<string, string>;
  ca?: string;
}
export interface PagerDutySink extends SinkCommon {
  type: 'pagerduty';
  url: string;
  routingKey: string;
}
export interface SlackSink extends SinkCommon {
  type: 'slack';
  url: string;
}

export type SinkConfig = WebhookSink | SyslogSink | OtlpSink | PagerDutySink | SlackSink;

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** Who hears what by default: log pipelines get everything, people get what needs a look. */
export const DEFAULT_MIN_SEVERITY: Record<SinkType, Severity> = {
  webhook: 'high',
  syslog: 'info',
  otlp: 'info',
  pagerduty: 'high',
  slack: 'high',
};
export const DEFAULT_RATE_PER_MIN: Partial<Record<SinkType, number>> = { pagerduty: 10, slack: 10 };

export interface SyslogTarget {
  host: string;
  port: number;
  tls: boolean;
}

function bad(message: string, hint: string): never {
  throw new InvalidInputError(message, hint);
}

function parseUrl(raw: string, what: string, example: string): URL {
  try {
    return new URL(raw);
  } catch {
    return bad(`invalid ${what} URL "${redactUrl(raw)}"`, `give a full URL, e.g. ${example}`);
  }
}

export function validateHttpUrl(raw: string, what: string, example: string): string {
  const u = parseUrl(raw, what, example);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') bad(`${what} URL must be http or https, not ${u.protocol}`, `e.g. ${example}`);
  if (!u.hostname) bad(`${what} URL has no host`, `e.g. ${example}`);
  return u.toString();
}

export function parseSyslogUrl(raw: string): SyslogTarget {
  const example = 'syslog://127.0.0.1:514 (TCP) or syslog+tls://siem.example.com:6514 (TLS)';
  const u = parseUrl(raw, 'syslog', example);
  const scheme = u.protocol.replace(/:$/, '');
  const tls = scheme === 'syslog+tls' || scheme === 'tls';
  if (!tls && scheme !== 'syslog' && scheme !== 'syslog+tcp' && scheme !== 'tcp') {
    bad(`syslog URL must be syslog://HOST[:PORT] (TCP) or syslog+tls://HOST[:PORT] (TLS), not ${scheme}://`, `e.g. ${example}; UDP is not offered (it loses alerts)`);
  }
  if (!u.hostname) bad('syslog URL has no host', `e.g. ${example}`);
  if (u.pathname && u.pathname !== '/' && u.pathname !== '') bad('syslog URL takes no path', `e.g. ${example}`);
  const port = u.port === '' ? (tls ? 6514 : 514) : Number(u.port);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port, tls };
}

export function normalizeSyslogUrl(raw: string): string {
  const t = parseSyslogUrl(raw);
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.tls ? 'syslog+tls' : 'syslog'}://${host}:${t.port}`;
}

/** The OTLP logs endpoint: a URL with no path gets the standard /v1/logs. */
export function normalizeOtlpUrl(raw: string): string {
  const clean = validateHttpUrl(raw, 'OTLP', 'http://127.0.0.1:4318/v1/logs');
  const u = new URL(clean);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/v1/logs';
  return u.toString();
}

/** `K=V` → [K, V]; header names as HTTP allows them. */
export function parseHeader(kv: string): [string, string] {
  const i = kv.indexOf('=');
  const name = i > 0 ? kv.slice(0, i).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) bad(`invalid header "${kv.slice(0, Math.max(0, i)) || kv.slice(0, 20)}"`, 'give --header NAME=VALUE, e.g. --header x-scope-orgid=team-a');
  const value = kv.slice(i + 1);
  if (/[\r\n]/.test(value)) bad(`header ${name} has a line break in its value`, 'give a single-line value');
  return [name, value];
}

export function parseSeverity(s: string): Severity {
  if (!isSeverity(s)) bad(`unknown severity "${s}"`, 'one of: info, low, medium, high, critical');
  return s;
}

/** Where a URL can be shown: scheme, host and path, without credentials or query (those may hold a secret). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

/** What `alerts list` may print for a sink: never a secret, a routing key, a header value or a Slack path. */
export function sinkTarget(s: SinkConfig): string {
  switch (s.type) {
    case 'slack': {
      const u = new URL(s.url);
      return `${u.protocol}//${u.host}/…`;
    }
    case 'pagerduty':
      return redactUrl(s.url);
    case 'syslog':
      return s.url;
    default:
      return redactUrl(s.url);
  }
}

/** Shape check of one stored sink; names fields, never values. null when fine. */
export function sinkProblem(s: unknown): string | null {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return 'not an object';
  const o = s as Record<string, unknown>;
  if (typeof o.id !== 'string' || !/^[a-z]+-[0-9a-f]{4,}$/.test(o.id)) return '"id" is not a sink id';
  if (!SINK_TYPES.includes(o.type as SinkType)) return '"type" is not a known sink type';
  if (typeof o.url !== 'string') return '"url" is not a string';
  if (typeof o.minSeverity !== 'string' || !isSeverity(o.minSeverity)) return '"minSeverity" is not a severity';
  if (!Number.isInteger(o.fromSeq) || (o.fromSeq as number) < 1) return '"fromSeq" is not a seq';
  if (o.ratePerMin !== undefined && (!Number.isInteger(o.ratePerMin) || (o.ratePerMin as number) < 1)) return '"ratePerMin" is not a count';
  if (o.type === 'pagerduty' && typeof o.routingKey !== 'string') return '"routingKey" is not a string';
  if (o.type === 'otlp' && (o.encoding !== 'json' && o.encoding !== 'protobuf')) return '"encoding" is not json or protobuf';
  if (o.type === 'syslog' && (!Number.isInteger(o.facility) || (o.facility as number) < 0 || (o.facility as number) > 23)) return '"facility" is not 0-23';
  return null;
}

const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'security', 'console', 'solaris-cron'];

/** A syslog facility by RFC 5424 name (local0-7 included) or number 0-23. */
export function parseFacility(s: string): number {
  const t = s.trim().toLowerCase();
  if (/^\d+$/.test(t) && Number(t) <= 23) return Number(t);
  const local = /^local([0-7])$/.exec(t);
  if (local) return 16 + Number(local[1]);
  const i = FACILITIES.indexOf(t);
  if (i >= 0) return i;
  return bad(`unknown syslog facility "${s}"`, 'a number 0-23 or a name: auth, authpriv, daemon, user, local0 … local7');
}
