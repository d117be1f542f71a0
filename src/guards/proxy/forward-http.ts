// One HTTP request through the proxy: judge the head, stream the body through the gate, relay the response.
import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { BodyGate, type GateStep } from './body-gate.js';
import { UnsupportedEncodingError } from './body-decoders.js';
import { scanHead } from './head-scan.js';
import {
  bodyWithEvent,
  describe,
  judgeRequest,
  recordDecision,
  refusalOf,
  storeRefusal,
  unscannable,
  type Described,
  type Destination,
  type ProxyJudgement,
  type Refused,
} from './proxy-events.js';
import { clientSocket, forwardHeaders, headerValue, hostHeader, type ProxyRuntime } from './runtime.js';

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
    'x-grith': r.status === 403 || r.status === 451 ? 'blocked' : 'error',
  });
  res.end(r.body);
}

/** Is this upstream failure a certificate grith would not trust? */
export function certificateRejected(err: NodeJS.ErrnoException): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_|ALTNAME|HOSTNAME/.test(err.code ?? '');
}

/** Why an upstream could not be used, in one line for the client (naming the flag that trusts a private CA). */
export function upstreamFailure(err: NodeJS.ErrnoException, dest: Destination, caHint = 'grith proxy --upstream-ca FILE'): string {
  const code = err.code ?? 'ERROR';
  if (certificateRejected(err))
    return `grith proxy: upstream certificate of ${dest.host}:${dest.port} rejected (${code}); if it is signed by a private CA, trust it with ${caHint}\n`;
  return `grith proxy: cannot reach ${dest.host}:${dest.port} (${code})\n`;
}

/** An upstream whose certificate grith rejects is a guard.error the user must see (a pinned or private CA). */
export function recordUpstreamFailure(rt: ProxyRuntime, err: NodeJS.ErrnoException, dest: Destination, d: Described): void {
  if (!certificateRejected(err)) return;
  void rt.ctx.record({
    kind: 'guard.error',
    guard: 'proxy',
    action: 'deny',
    where: d.where,
    message: `upstream certificate rejected (${err.code}); trust a private CA with ${rt.upstreamCaHint}`,
    detail: { method: d.method, path: d.path },
  });
}

/** Record a refusal, then send it with the number of its event. */
async function refuseRecorded(rt: ProxyRuntime, res: ServerResponse, r: Refused, d: Described, transport: string): Promise<void> {
  const seq = await recordDecision(rt.ctx, r.decision, d, transport);
  refuse(res, { status: r.status, body: bodyWithEvent(r, seq) });
}

export function forwardRequest(rt: ProxyRuntime, req: IncomingMessage, res: ServerResponse, dest: Destination, path: string): void {
  const snap = rt.ctx.snapshot();
  const method = req.method ?? 'GET';
  const described = describe(snap, dest, method, path);
  const client = clientSocket(rt, req.socket);
  const refuseNow = (r: Refused, transport: string): void => {
    req.resume();
    void refuseRecorded(rt, res, r, described, transport);
  };
  const noStore = storeRefusal(snap, 'request');
  if (noStore) return refuseNow(noStore, 'http-head');
  const matcher = snap.matcher!;
  const headHits = scanHead(matcher, { method, target: req.url ?? '', rawHeaders: req.rawHeaders, host: dest.host, port: dest.port });
  /** A judgement on hits: a refusal ends the request; anything else is recorded and the request goes on. */
  const settle = (j: ProxyJudgement, transport: string, onRefusal: (r: Refused) => void): boolean => {
    const r = refusalOf(j.decision, j.status);
    if (r) {
      onRefusal(r);
      return false;
    }
    void recordDecision(rt.ctx, j.decision, described, transport, j.kind);
    return true;
  };
  const head = judgeRequest(rt, snap, headHits, described, dest, client);
  const go = (j: ProxyJudgement): void => {
    if (settle(j, 'http-head', (r) => refuseNow(r, 'http-head'))) forwardBody(rt, req, res, dest, path, described, client, settle);
  };
  if (head instanceof Promise) {
    req.pause();
    void head.then(go);
  } else go(head);
}

type Settle = (j: ProxyJudgement, transport: string, onRefusal: (r: Refused) => void) => boolean;

function forwardBody(
  rt: ProxyRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  dest: Destination,
  path: string,
  described: Described,
  client: Socket,
  settle: Settle,
): void {
  const snap = rt.ctx.snapshot();
  const matcher = snap.matcher!;
  let gate: BodyGate;
  try {
    gate = new BodyGate(matcher, {
      contentEncoding: headerValue(req.rawHeaders, 'content-encoding'),
      contentType: headerValue(req.rawHeaders, 'content-type'),
      maxHold: rt.maxHold,
    });
  } catch (e) {
    const msg = e instanceof UnsupportedEncodingError ? e.message : String(e);
    req.resume();
    void refuseRecorded(rt, res, unscannable(`request refused, body cannot be scanned: ${msg}`, msg, 415), described, 'http-body');
    return;
  }

  const upreq = openUpstream(rt, req, dest, req.method ?? 'GET', path);
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
    if (!res.headersSent) void refuseRecorded(rt, res, r, described, 'http-body');
    else {
      void recordDecision(rt.ctx, r.decision, described, 'http-body');
      res.destroy();
      req.socket.destroy();
    }
  };
  const onStep = (step: GateStep): Released => {
    if (step.hits.length === 0) return step.release;
    const j = judgeRequest(rt, snap, step.hits, described, dest, client);
    const then = (x: ProxyJudgement) => (settle(x, 'http-body', end) ? step.release : null);
    return j instanceof Promise ? j.then(then) : then(j);
  };
  const failClosed = (e: Error): void => end(bodyFailure(e));

  relayResponse(upreq, res, () => finished);
  upreq.on('error', (err: NodeJS.ErrnoException) => {
    if (finished) return;
    stop();
    recordUpstreamFailure(rt, err, dest, described);
    if (!res.headersSent) refuse(res, { status: 502, body: upstreamFailure(err, dest, rt.upstreamCaHint) });
    else res.destroy();
  });
  res.on('close', () => {
    if (!res.writableFinished) stop();
  });
  if (gate.synchronous) pumpSync(req, upreq, gate, onStep, failClosed, () => finished);
  else pumpAsync(req, upreq, gate, onStep, failClosed, () => finished);
  req.on('error', () => stop());
  req.resume();
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

/** Bytes to forward; null when the request was refused; a promise while the model channel's owner is looked up. */
type Released = Buffer | null | Promise<Buffer | null>;
type OnStep = (step: GateStep) => Released;

/**
 * No Content-Encoding: scan and forward inside the 'data' event, with ordinary backpressure. A decision that must
 * be looked up (the model channel's owner) pauses the client; chunks behind it wait in order.
 */
function pumpSync(req: IncomingMessage, upreq: http.ClientRequest, gate: BodyGate, onStep: OnStep, fail: (e: Error) => void, finished: () => boolean): void {
  const resume = (): void => {
    if (!finished()) req.resume();
  };
  let corked = false;
  const uncork = (): void => {
    corked = false;
    upreq.uncork();
  };
  const forward = (release: Buffer | null): void => {
    if (release === null || release.length === 0 || finished()) return;
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
  };
  const handle = (produce: () => Released, after: (release: Buffer | null) => void): void | Promise<void> => {
    if (finished()) return;
    let r: Released;
    try {
      r = produce();
    } catch (e) {
      return fail(e as Error);
    }
    if (!(r instanceof Promise)) return after(r);
    return r.then(after, (e: Error) => fail(e));
  };
  let chain: Promise<void> | null = null;
  const run = (produce: () => Released, after: (release: Buffer | null) => void): void => {
    let next: Promise<void>;
    if (chain) next = chain.then(() => handle(produce, after));
    else {
      const p = handle(produce, after);
      if (!p) return;
      req.pause();
      next = p;
    }
    chain = next;
    void next.then(() => {
      if (chain !== next) return;
      chain = null;
      resume();
    });
  };
  req.on('data', (chunk: Buffer) => run(() => onStep(gate.pushSync(chunk)), forward));
  req.on('end', () =>
    run(
      () => onStep(gate.endSync()),
      (release) => {
        if (release === null || finished()) return;
        if (release.length > 0) upreq.write(release);
        upreq.end();
      },
    ),
  );
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
        if (!finished()) await write(await onStep(await gate.push(chunk)));
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
        if ((await write(await onStep(await gate.end()))) && !finished()) upreq.end();
      })
      .catch((e: Error) => fail(e));
  });
}
