// One HTTP(S) POST for a sink: straight to the receiver (never through a proxy), bounded by a timeout and an abort
// signal, with an optional extra CA. Turns the answer into success or a SendError (with Retry-After when given).
import http from 'node:http';
import https from 'node:https';
import { redactUrl } from '../../core/sink-config.js';
import { SendError } from './transport.js';

export interface PostOptions {
  headers?: Record<string, string>;
  contentType?: string;
  ca?: string;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface PostAnswer {
  status: number;
  body: string;
  /** Retry-After, in ms, when the receiver sent one. */
  retryAfterMs?: number;
}

function retryAfterMs(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return undefined;
  if (/^\d+$/.test(s.trim())) return Number(s.trim()) * 1000;
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export function post(url: string, body: string | Buffer, opts: PostOptions): Promise<PostAnswer> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    if (opts.signal.aborted) return reject(new SendError('aborted'));
    const req = mod.request(
      u,
      {
        method: 'POST',
        agent: false,
        ...(opts.ca ? { ca: opts.ca } : {}),
        headers: {
          'content-type': opts.contentType ?? 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'grith-alerts/1',
          ...opts.headers,
        },
        timeout: opts.timeoutMs,
        signal: opts.signal,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (text.length < 4096) text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, retryAfterMs: retryAfterMs(res.headers['retry-after']) }));
        res.on('error', (e) => reject(new SendError(e.message)));
      },
    );
    // Delivery never keeps a process alive: whoever must wait for it (a CLI's 2 s, the drainer) holds its own timer.
    req.on('socket', (sock) => sock.unref());
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new SendError(e.name === 'AbortError' ? 'aborted' : e.code ? `${e.code} ${e.message}` : e.message)));
    req.end(body);
  });
}

/** 2xx is delivered; anything else throws, carrying Retry-After when the receiver sent one. */
export async function postOk(url: string, body: string | Buffer, opts: PostOptions): Promise<PostAnswer> {
  const answer = await post(url, body, opts);
  if (answer.status >= 200 && answer.status < 300) return answer;
  const hint = [401, 403, 404].includes(answer.status) ? ' (check the URL or credentials)' : '';
  throw new SendError(`${redactUrl(url)} answered HTTP ${answer.status}${hint}`, answer.retryAfterMs);
}
