// One HTTP request through the proxy: judge the head, stream the body through the gate, relay the response.
import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { BodyGate, type GateStep } from './body-gate.js';
import { UnsupportedEncodingError } from './body-decoders.js';
import { scanHead } from './head-scan.js';
import { describe, judgeHits, recordDecision, refusalOf, storeRefusal, unscannable, type Destination, type Refused } from './proxy-events.js';
import { forwardHeaders, headerValue, hostHeader, type ProxyRuntime } from './runtime.js';

/** Request bytes allowed to queue toward the upstream before the client is paused. */
const UPSTREAM_BUFFER = 1 << 20;

const RESPONSE_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'proxy-authenticate', 'trailer', 'upgrade']);

/** The one translation of a refusal into HTTP: its status and line before the response began, a reset after. */
export function refuse(res: ServerResponse, r: Pick<Refused, 'status' | 'body'>): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(r.status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(r.body),
    connection: 'close',
    'x-grith': r.status === 403 ? 'blocked' : 'error',
  });
  res.end(r.body);
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
  const described = describe(snap, dest, method, path);
  const refuseNow = (r: Refused, transport: string): void => {
    recordDecision(rt.ctx, r.decision, described, transport);
    refuse(res, r);
    req.resume();
  };
  const noStore = storeRefusal(snap, 'request');
  if (noStore) return refuseNow(noStore, 'http-head');
  const matcher = snap.matcher!;
  const headHits = scanHead(matcher, { method, target: req.url ?? '', rawHeaders: req.rawHeaders, host: dest.host, port: dest.port });
  const headDecision = judgeHits(snap, headHits, described);
  const head = refusalOf(headDecision);
  if (head) return refuseNow(head, 'http-head');
  recordDecision(rt.ctx, headDecision, described, 'http-head');
  let gate: BodyGate;
  try {
    gate = new BodyGate(matcher, {
      contentEncoding: headerValue(req.rawHeaders, 'content-encoding'),
      contentType: headerValue(req.rawHeaders, 'content-type'),
      maxHold: rt.maxHold,
    });
  } catch (e) {
    const msg = e instanceof UnsupportedEncodingError ? e.message : String(e);
    return refuseNow(unscannable(`request refused, body cannot be scanned: ${msg}`, msg, 415), 'http-body');
  }

  const upreq = openUpstream(rt, req, dest, method, path);
  let finished = false;
  const stop = (): void => {
    finished = true;
    gate.destroy();
    upreq.destroy();
  };
  /** The body carried a canary or could not be scanned: nothing more goes upstream. */
  const end = (r: Refused): void => {
    if (finished) return;
    stop();
    recordDecision(rt.ctx, r.decision, described, 'http-body');
    if (!res.headersSent) refuse(res, r);
    else {
      res.destroy();
      req.socket.destroy();
    }
  };
  const onStep = (step: GateStep): Buffer | null => {
    if (step.hits.length === 0) return step.release;
    const decision = judgeHits(snap, step.hits, described);
    const r = refusalOf(decision);
    if (r) {
      end(r);
      return null;
    }
    recordDecision(rt.ctx, decision, described, 'http-body');
    return step.release;
  };
  const failClosed = (e: Error): void => end(bodyFailure(e));

  relayResponse(upreq, res, () => finished);
  upreq.on('error', (err: NodeJS.ErrnoException) => {
    if (finished) return;
    stop();
    if (!res.headersSent) refuse(res, { status: 502, body: upstreamFailure(err, dest) });
    else res.destroy();
  });
  res.on('close', () => {
    if (!res.writableFinished) stop();
  });
  if (gate.synchronous) pumpSync(req, upreq, gate, onStep, failClosed, () => finished);
  else pumpAsync(req, upreq, gate, onStep, failClosed, () => finished);
  req.on('error', () => stop());
}

function bodyFailure(e: Error): Refused {
  return unscannable(`request refused, body cannot be scanned: ${e.message}`, e.message);
}

function openUpstream(rt: ProxyRuntime, req: IncomingMessage, dest: Destination, method: string, path: string): http.ClientRequest {
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
  return dest.tls ? https.request({ ...options, agent: rt.httpsAgent }) : http.request({ ...options, agent: rt.httpAgent });
}

function relayResponse(upreq: http.ClientRequest, res: ServerResponse, finished: () => boolean): void {
  upreq.on('response', (ures) => {
    if (finished() || res.headersSent || res.destroyed) {
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
}

type OnStep = (step: GateStep) => Buffer | null;

/** No Content-Encoding: scan and forward inside the 'data' event, with ordinary backpressure. */
function pumpSync(req: IncomingMessage, upreq: http.ClientRequest, gate: BodyGate, onStep: OnStep, fail: (e: Error) => void, finished: () => boolean): void {
  const resume = (): void => {
    if (!finished()) req.resume();
  };
  let corked = false;
  const uncork = (): void => {
    corked = false;
    upreq.uncork();
  };
  req.on('data', (chunk: Buffer) => {
    if (finished()) return;
    let release: Buffer | null;
    try {
      release = onStep(gate.pushSync(chunk));
    } catch (e) {
      return fail(e as Error);
    }
    if (release === null || release.length === 0) return;
    // Body events arrive one TLS record (≤ 16 KiB) at a time, several per socket read: batch them into one write.
    if (!corked) {
      corked = true;
      upreq.cork();
      process.nextTick(uncork);
    }
    // Pausing the client at every full 16 KiB socket buffer costs a round trip each time: allow more in flight.
    if (!upreq.write(release) && upreq.writableLength > UPSTREAM_BUFFER) {
      req.pause();
      upreq.once('drain', resume);
    }
  });
  req.on('end', () => {
    if (finished()) return;
    let release: Buffer | null;
    try {
      release = onStep(gate.endSync());
    } catch (e) {
      return fail(e as Error);
    }
    if (release === null) return;
    if (release.length > 0) upreq.write(release);
    upreq.end();
  });
}

/** Encoded: the gate is asynchronous (zlib), one chunk at a time so releases stay in order. */
function pumpAsync(req: IncomingMessage, upreq: http.ClientRequest, gate: BodyGate, onStep: OnStep, fail: (e: Error) => void, finished: () => boolean): void {
  let chain: Promise<void> = Promise.resolve();
  const write = async (b: Buffer | null): Promise<boolean> => {
    if (b === null) return false;
    if (b.length === 0 || finished() || upreq.write(b)) return true;
    await new Promise<void>((r) => {
      const done = (): void => {
        upreq.off('drain', done);
        upreq.off('close', done);
        r();
      };
      upreq.on('drain', done);
      upreq.on('close', done);
    });
    return true;
  };
  req.on('data', (chunk: Buffer) => {
    req.pause();
    chain = chain
      .then(async () => {
        if (!finished()) await write(onStep(await gate.push(chunk)));
      })
      .catch((e: Error) => fail(e))
      .finally(() => {
        if (!finished()) req.resume();
      });
  });
  req.on('end', () => {
    chain = chain
      .then(async () => {
        if (finished()) return;
        if ((await write(onStep(await gate.end()))) && !finished()) upreq.end();
      })
      .catch((e: Error) => fail(e));
  });
}
