// Delivers canary events (fired, read, context, persisted) to webhooks: JSON POST, optional HMAC-SHA256 signature, retried with
// backoff in the background so a guard's decision never waits on the network. Events are token-free by contract.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { EventSink } from './sinks.js';
import type { GrithEvent } from './types.js';

export interface WebhookTarget {
  url: string;
  secret?: string;
}

export interface WebhookOptions {
  /** Attempts per event and target, the first included. */
  attempts?: number;
  /** Delay before retry n (1-based): baseDelayMs * 2^(n-1), capped by maxDelayMs, with ±20 % jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  /** Called once per event and target when delivery finally fails (default: one stderr line). */
  onGiveUp?: (target: WebhookTarget, e: GrithEvent, reason: string) => void;
  /** Called when a delivery succeeds (tests, progress). */
  onDelivered?: (target: WebhookTarget, e: GrithEvent, attempts: number) => void;
}

export const ALERT_KINDS = new Set(['canary.fired', 'canary.read', 'canary.context', 'canary.persisted']);

/** `sha256=<hex>` over the exact body bytes, as GitHub-style receivers expect. */
export function signBody(body: string, secret: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(body, 'utf8').digest('hex');
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

function post(url: URL, body: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: 'POST',
        // Webhooks go straight to their receiver, never through the session's own proxy.
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export class WebhookSink implements EventSink {
  private readonly inflight = new Set<Promise<void>>();
  private readonly opts: Required<Omit<WebhookOptions, 'onDelivered'>> & Pick<WebhookOptions, 'onDelivered'>;

  constructor(
    private readonly targets: () => WebhookTarget[],
    opts: WebhookOptions = {},
  ) {
    this.opts = {
      attempts: opts.attempts ?? 6,
      baseDelayMs: opts.baseDelayMs ?? 500,
      maxDelayMs: opts.maxDelayMs ?? 30_000,
      timeoutMs: opts.timeoutMs ?? 10_000,
      onGiveUp:
        opts.onGiveUp ??
        ((t, e, reason) =>
          process.stderr.write(`grith: webhook ${redactUrl(t.url)} did not take event #${e.seq}: ${reason}\n`)),
      onDelivered: opts.onDelivered,
    };
  }

  deliver(e: GrithEvent): void {
    if (!ALERT_KINDS.has(e.kind)) return;
    for (const target of this.targets()) {
      const p = this.send(target, e);
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p));
    }
  }

  /** Resolves when every delivery started so far has succeeded or given up (or the deadline passed). */
  async flush(deadlineMs = Infinity): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (this.inflight.size > 0 && Date.now() < until) {
      const left = until - Date.now();
      await Promise.race([
        Promise.allSettled([...this.inflight]),
        ...(Number.isFinite(left) ? [new Promise((r) => setTimeout(r, left).unref())] : []),
      ]);
    }
  }

  private async send(target: WebhookTarget, e: GrithEvent): Promise<void> {
    const body = JSON.stringify({ source: 'grith', event: e });
    const headers: Record<string, string> = {
      'user-agent': 'grith-webhook/1',
      'x-grith-event': e.kind,
      'x-grith-delivery': `${e.seq}-${e.hash.slice(0, 16)}`,
    };
    if (target.secret) headers['x-grith-signature-256'] = signBody(body, target.secret);
    let url: URL;
    try {
      url = new URL(target.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not an http(s) URL');
    } catch (err) {
      this.opts.onGiveUp(target, e, (err as Error).message);
      return;
    }
    let reason = '';
    for (let attempt = 1; attempt <= this.opts.attempts; attempt++) {
      try {
        const status = await post(url, body, headers, this.opts.timeoutMs);
        if (status >= 200 && status < 300) {
          this.opts.onDelivered?.(target, e, attempt);
          return;
        }
        reason = `HTTP ${status}`;
        // A 4xx other than 408/429 will not get better by asking again.
        if (status >= 400 && status < 500 && status !== 408 && status !== 429) break;
      } catch (err) {
        reason = (err as Error).message;
      }
      if (attempt < this.opts.attempts) {
        const delay = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempt - 1));
        await new Promise((r) => setTimeout(r, delay * (0.8 + Math.random() * 0.4)));
      }
    }
    this.opts.onGiveUp(target, e, reason);
  }
}
