// One HTTP request through the proxy: scan the head, stream the body through the gate, relay the response.
import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Hit } from '../../core/matcher/types.js';
import { BodyGate } from './body-gate.js';
import { UnsupportedEncodingError } from './body-decoders.js';
import { scanHead } from './head-scan.js';
import { BLOCKED_BODY, describe, recordFired, recordGuardError, type Destination } from './proxy-events.js';
import { forwardHeaders, headerValue, hostHeader, type ProxyRuntime } from './runtime.js';

/** Request bytes allowed to queue toward the upstream before the client is paused. */
const UPSTREAM_BUFFER = 1 << 20;

const RESPONSE_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'proxy-authenticate', 'trailer', 'upgrade']);

export function refuse(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
    'x-grith': status === 403 ? 'blocked' : 'error',
  });
  res.end(body);
}

/** Why an upstream could not be used, in one line for the client. */
export function upstreamFailure(err: NodeJS.ErrnoException, dest: Destination): string {
  const code = err.code ?? 'ERROR';
  if (/CERT|SELF_SIGNED|UNABLE_TO_|ALTNAME|HOSTNAME/.test(code))
    return `grith proxy: upstream certificate of ${dest.host}:${dest.port} rejected (${code})\n`;
  return `grith proxy: cannot reach ${dest.host}:${dest.port} (${code})\n`;
}

export function forwardRequest(rt: ProxyRuntime, req: IncomingMessage, res: ServerResponse, dest: Destination, path: string): void {
  const snap = rt.ctx.snapshot();
  const method = req.method ?? 'GET';
  const matcher = snap.matcher;
  if (!matcher || snap.error) {
    const why = snap.error?.message ?? 'no matcher loaded';
    recordGuardError(rt.ctx, `request refused, canary store unavailable: ${why}`, describe(snap, dest, method, path));
    refuse(res, 503, `grith proxy: canary store unavailable, refusing all traffic (${why})\n`);
    return;
  }
  const headHits = scanHead(matcher, { method, target: req.url ?? '', rawHeaders: req.rawHeaders, host: dest.host, port: dest.port });
  if (headHits.length > 0) {
    recordFired(rt.ctx, headHits, describe(snap, dest, method, path), 'http-head');
    refuse(res, 403, BLOCKED_BODY);
    req.resume();
    return;
  }
  let gate: BodyGate;
  try {
    gate = new BodyGate(matcher, {
      contentEncoding: headerValue(req.rawHeaders, 'content-encoding'),
      contentType: headerValue(req.rawHeaders, 'content-type'),
      maxHold: rt.maxHold,
    });
  } catch (e) {
    const msg = e instanceof UnsupportedEncodingError ? e.message : String(e);
    recordGuardError(rt.ctx, `request refused, body cannot be scanned: ${msg}`, describe(snap, dest, method, path));
    refuse(res, 415, `grith proxy: refusing a body it cannot scan (${msg})\n`);
    req.resume();
    return;
  }

  const headers = forwardHeaders(req.rawHeaders);
  if (headerValue(headers, 'host') === undefined) headers.push('Host', hostHeader(dest));
  const options = {
    host: dest.host,
    port: dest.port,
    method,
    path,
    headers,
    setHost: false,
    ...(dest.tls && !isIP(dest.host) ? { servername: dest.host } : {}),
  };
  const upreq = dest.tls ? https.request({ ...options, agent: rt.httpsAgent }) : http.request({ ...options, agent: rt.httpAgent });
  let finished = false;

  const stop = (): void => {
    finished = true;
    gate.destroy();
    upreq.destroy();
  };
  const deny = (hits: Hit[]): void => {
    if (finished) return;
    stop();
    recordFired(rt.ctx, hits, describe(snap, dest, method, path), 'http-body');
    if (!res.headersSent) refuse(res, 403, BLOCKED_BODY);
    else {
      res.destroy();
      req.socket.destroy();
    }
  };
  const failClosed = (e: Error): void => {
    if (finished) return;
    stop();
    recordGuardError(rt.ctx, `request refused, body cannot be scanned: ${e.message}`, describe(snap, dest, method, path));
    if (!res.headersSent) refuse(res, 422, `grith proxy: refusing a body it cannot scan (${e.message})\n`);
    else req.socket.destroy();
  };

  upreq.on('response', (ures) => {
    if (finished || res.headersSent || res.destroyed) {
      ures.destroy();
      return;
    }
    const out: string[] = [];
    for (let i = 0; i + 1 < ures.rawHeaders.length; i += 2)
      if (!RESPONSE_HOP.has(ures.rawHeaders[i].toLowerCase())) out.push(ures.rawHeaders[i], ures.rawHeaders[i + 1]);
    res.writeHead(ures.statusCode ?? 502, ures.statusMessage, out);
    ures.pipe(res);
    ures.on('error', () => res.destroy());
    ures.on('aborted', () => res.destroy());
  });
  upreq.on('error', (err: NodeJS.ErrnoException) => {
    if (finished) return;
    stop();
    if (!res.headersSent) refuse(res, 502, upstreamFailure(err, dest));
    else res.destroy();
  });
  res.on('close', () => {
    if (!res.writableFinished) stop();
  });

  if (gate.synchronous) {
    // No Content-Encoding: scan and forward inside the 'data' event, with ordinary backpressure.
    const resume = (): void => {
      if (!finished) req.resume();
    };
    let corked = false;
    const uncork = (): void => {
      corked = false;
      upreq.uncork();
    };
    req.on('data', (chunk: Buffer) => {
      if (finished) return;
      let step;
      try {
        step = gate.pushSync(chunk);
      } catch (e) {
        return failClosed(e as Error);
      }
      if (step.hits.length > 0) return deny(step.hits);
      if (step.release.length === 0) return;
      // Body events arrive one TLS record (≤ 16 KiB) at a time, several per socket read: batch them into one write.
      if (!corked) {
        corked = true;
        upreq.cork();
        process.nextTick(uncork);
      }
      // Pausing the client at every full 16 KiB socket buffer costs a round trip each time: allow more in flight.
      if (!upreq.write(step.release) && upreq.writableLength > UPSTREAM_BUFFER) {
        req.pause();
        upreq.once('drain', resume);
      }
    });
    req.on('end', () => {
      if (finished) return;
      let step;
      try {
        step = gate.endSync();
      } catch (e) {
        return failClosed(e as Error);
      }
      if (step.hits.length > 0) return deny(step.hits);
      if (step.release.length > 0) upreq.write(step.release);
      upreq.end();
    });
  } else {
    // Encoded: the gate is asynchronous (zlib), one chunk at a time so releases stay in order.
    let chain: Promise<void> = Promise.resolve();
    const write = async (b: Buffer): Promise<void> => {
      if (b.length === 0 || finished || upreq.write(b)) return;
      await new Promise<void>((r) => {
        const done = (): void => {
          upreq.off('drain', done);
          upreq.off('close', done);
          r();
        };
        upreq.on('drain', done);
        upreq.on('close', done);
      });
    };
    req.on('data', (chunk: Buffer) => {
      req.pause();
      chain = chain
        .then(async () => {
          if (finished) return;
          const step = await gate.push(chunk);
          if (step.hits.length > 0) return deny(step.hits);
          await write(step.release);
        })
        .catch((e: Error) => failClosed(e))
        .finally(() => {
          if (!finished) req.resume();
        });
    });
    req.on('end', () => {
      chain = chain
        .then(async () => {
          if (finished) return;
          const step = await gate.end();
          if (step.hits.length > 0) return deny(step.hits);
          await write(step.release);
          if (!finished) upreq.end();
        })
        .catch((e: Error) => failClosed(e));
    });
  }
  req.on('error', () => stop());
}
