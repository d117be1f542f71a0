// Syslog sink: RFC 5424 messages with octet-counted framing (RFC 6587 §3.4.1, as RFC 5425 uses over TLS), over TCP
// or TLS. One connection per batch: write every frame, half-close, and count the batch delivered once the
// receiver closed its side or stayed silent for a grace period with no reset (an app-level ack does not exist in
// syslog; a receiver that went away answers with a reset or a refused connection, which fails the batch).
import net from 'node:net';
import tls from 'node:tls';
import { parseSyslogUrl, type SyslogSink } from '../../core/sink-config.js';
import type { Severity } from '../../core/severity.js';
import { netted, type OutgoingAlert } from '../delivery/alert.js';
import { alertRecord, asciiJson, SendError, type Transport } from './transport.js';

/** RFC 5424 severities: critical → 2 (crit), high → 3 (err), medium → 4 (warning), low → 5 (notice), info → 6. */
const SYSLOG_SEVERITY: Record<Severity, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };
/** Private enterprise number 32473 is reserved for documentation and examples (RFC 5612). */
export const SD_ID = 'grith@32473';

/** PRINTUSASCII without spaces, at most max characters; '-' when empty (the NILVALUE). */
function header(s: string | undefined, max: number): string {
  const clean = (s ?? '').replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}

function sdValue(v: string): string {
  return v.replace(/[\\"\]]/g, (c) => '\\' + c).replace(/[^\x20-\x7e]/g, '?');
}

export function syslogMessage(a: OutgoingAlert, facility: number): string {
  const e = a.event;
  const pri = facility * 8 + SYSLOG_SEVERITY[a.severity];
  const params: [string, string | number | undefined][] = [
    ['seq', e.seq],
    ['hash', e.hash],
    ['kid', e.kid],
    ['kind', e.kind],
    ['severity', a.severity],
    ['guard', e.guard],
    ['action', e.action],
    ['canaryId', e.canaryId],
    ['fingerprint', e.fingerprint],
    ['session', e.session],
    ['suppressed', a.suppressed],
  ];
  const sd = `[${SD_ID}${params
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => ` ${k}="${sdValue(String(v))}"`)
    .join('')}]`;
  return `<${pri}>1 ${e.ts} ${header(a.host, 255)} grith ${header(e.pid === undefined ? '' : String(e.pid), 128)} ${header(e.kind, 32)} ${sd} ${asciiJson(alertRecord(a))}`;
}

/** `LEN SP MSG` with LEN the byte length of MSG. */
export function octetFrame(msg: string): string {
  return `${Buffer.byteLength(msg, 'utf8')} ${msg}`;
}

export interface SyslogTransportOptions {
  /** How long to wait for the receiver's close after our half-close before counting the batch as taken. */
  graceMs?: number;
}

export function syslogTransport(cfg: Pick<SyslogSink, 'url' | 'ca' | 'facility'>, o: SyslogTransportOptions = {}): Transport {
  const target = parseSyslogUrl(cfg.url);
  const graceMs = o.graceMs ?? 2000;
  return {
    maxBatch: 200,
    async send(alerts, { net: payloadNet, signal, timeoutMs }) {
      const data = netted(alerts, (as) => as.map((a) => octetFrame(syslogMessage(a, cfg.facility))).join(''), (b) => b, payloadNet);
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const finish = (err?: Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          clearTimeout(grace);
          signal.removeEventListener('abort', onAbort);
          sock.destroy();
          if (err) reject(err instanceof SendError ? err : new SendError(err.message));
          else resolve();
        };
        const onAbort = () => finish(new SendError('aborted'));
        const timer = setTimeout(() => finish(new SendError(`no answer from ${target.host}:${target.port} within ${timeoutMs} ms`)), timeoutMs);
        let grace: NodeJS.Timeout | undefined;
        const isIp = net.isIP(target.host) !== 0;
        const sock: net.Socket = target.tls
          ? tls.connect({ host: target.host, port: target.port, ...(cfg.ca ? { ca: cfg.ca } : {}), ...(isIp ? {} : { servername: target.host }) })
          : net.connect({ host: target.host, port: target.port });
        // Delivery never keeps a process alive: whoever must wait for it (a CLI's 2 s, the drainer) holds its own timer.
        sock.unref();
        timer.unref();
        signal.addEventListener('abort', onAbort, { once: true });
        let flushed = false;
        sock.once(target.tls ? 'secureConnect' : 'connect', () => {
          sock.end(data, () => {
            flushed = true;
            // Everything is written and our FIN is out: the receiver's close (or silence without a reset) is the ack.
            grace = setTimeout(() => finish(), graceMs);
            grace.unref();
          });
        });
        sock.on('data', () => undefined);
        sock.once('error', (e: Error) => finish(new SendError(`${target.tls ? 'TLS ' : ''}syslog ${target.host}:${target.port}: ${e.message}`)));
        sock.once('close', (hadError) => {
          if (!hadError) finish(flushed ? undefined : new SendError(`syslog ${target.host}:${target.port} closed the connection before taking the batch`));
        });
      });
    },
  };
}
