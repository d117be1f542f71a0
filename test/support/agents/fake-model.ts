// A scripted fake model on 127.0.0.1 (real HTTP, real SSE): the Anthropic Messages API for Claude Code or the OpenAI
// Responses API for Codex. Each request of the agent's loop gets the script's next turn; every request is recorded
// (body, times, client port) so a test can assert what the model saw. Start-up and side calls get minimal valid
// answers (model lists, token counts, a short text) without consuming a turn.
import { mkdtemp, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { lenientDecode } from '../../../src/demo/attacker.js';
import { CertificateAuthority } from '../../../src/guards/proxy/tls-ca.js';
import { anthropicMessage, anthropicStream, claudeToolResults, isClaudeTurn } from './anthropic-sse.js';
import { codexToolResults, isCodexTurn, responsesStream } from './openai-sse.js';
import { END_TEXT, SIDE_TEXT, type ModelReply, type ModelRequest, type Turn } from './script.js';

export type ModelApi = 'anthropic' | 'openai';

export interface FakeModel {
  api: ModelApi;
  /** http://127.0.0.1:PORT, or https:// with tls */
  origin: string;
  /** With tls: the PEM of the throw-away CA behind the server's certificate (what an upstream client must trust). */
  caPem?: string;
  /** 127.0.0.1:PORT (what --model-host takes). */
  authority: string;
  port: number;
  requests: ModelRequest[];
  /** Requests of the agent's loop only. */
  turns(): ModelRequest[];
  /** Replace the script (and restart its count) for the next run. */
  script(turns: Turn[]): void;
  close(): Promise<void>;
}

const now = (): number => performance.timeOrigin + performance.now();

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function parse(body: Buffer): Record<string, unknown> | undefined {
  try {
    const j = JSON.parse(body.toString('utf8')) as unknown;
    return j && typeof j === 'object' ? (j as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface FakeModelOptions {
  /** Called while each request is open (its client socket alive). */
  inspect?: (r: ModelRequest) => void;
  /** Serve HTTPS (as real model endpoints do) with a certificate from a throw-away CA. */
  tls?: boolean;
}

export async function startFakeModel(api: ModelApi, turns: Turn[] = [], o: FakeModelOptions = {}): Promise<FakeModel> {
  let script = turns;
  let next = 0;
  const requests: ModelRequest[] = [];

  const reply = (req: ModelRequest): ModelReply => {
    if (req.role !== 'turn') return { text: SIDE_TEXT };
    req.turn = next;
    const t = script[next++];
    if (t === undefined) return { text: END_TEXT };
    return typeof t === 'function' ? t(req) : t;
  };

  const answer = (r: ModelRequest, res: ServerResponse): void => {
    const path = r.url.split('?')[0]!;
    const model = String(r.json?.model ?? 'fake-model');
    res.on('finish', () => (r.answeredAt = now()));
    if (api === 'anthropic') {
      if (r.method === 'POST' && path === '/v1/messages/count_tokens') return send(res, 200, { input_tokens: 100 });
      if (r.method === 'GET' && path.startsWith('/v1/models')) {
        return send(res, 200, { data: [{ type: 'model', id: model, display_name: 'Fake', created_at: '2025-01-01T00:00:00Z' }], has_more: false, first_id: model, last_id: model });
      }
      if (r.method === 'POST' && path === '/v1/messages') {
        const out = reply(r);
        if (r.json?.stream !== true) return send(res, 200, anthropicMessage(out, r.n, model));
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.end(anthropicStream(out, r.n, model));
        return;
      }
      return send(res, 404, { type: 'error', error: { type: 'not_found_error', message: `fake model: no route ${r.method} ${path}` } });
    }
    if (r.method === 'GET' && path.endsWith('/models')) return send(res, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'fake' }], models: [] });
    if (r.method === 'POST' && path.endsWith('/responses')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(responsesStream(reply(r), r.n, model));
      return;
    }
    return send(res, 404, { error: { message: `fake model: no route ${r.method} ${path}`, type: 'invalid_request_error' } });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const receivedAt = now();
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const enc = String(req.headers['content-encoding'] ?? '').toLowerCase();
      const decoded = enc && enc !== 'identity' ? (lenientDecode(body, enc) ?? undefined) : undefined;
      const json = parse(decoded ?? body);
      const isTurn = api === 'anthropic' ? isClaudeTurn(json) : isCodexTurn(json);
      const r: ModelRequest = {
        n: requests.length + 1,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        decoded,
        json,
        role: isTurn ? 'turn' : req.method === 'POST' ? 'side' : 'other',
        peerPort: req.socket.remotePort ?? 0,
        receivedAt,
        bodyAt: now(),
        toolResults: api === 'anthropic' ? claudeToolResults(json) : codexToolResults(json),
      };
      requests.push(r);
      // While the request is open its client socket is alive: the place to ask who holds it.
      o.inspect?.(r);
      answer(r, res);
    });
  };
  let caDir: string | undefined;
  let caPem: string | undefined;
  let server: http.Server;
  if (o.tls) {
    caDir = await mkdtemp(path.join(tmpdir(), 'grith-fake-model-ca-'));
    const ca = await CertificateAuthority.open(path.join(caDir, 'ca'));
    const leaf = await ca.mintLeaf('127.0.0.1');
    caPem = ca.certPem;
    server = https.createServer({ cert: leaf.certPem + ca.certPem, key: leaf.keyPem, keepAlive: true }, onRequest);
  } else server = http.createServer({ keepAlive: true }, onRequest);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    api,
    origin: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    caPem,
    authority: `127.0.0.1:${port}`,
    port,
    requests,
    turns: () => requests.filter((r) => r.role === 'turn'),
    script(t) {
      script = t;
      next = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      if (caDir) await rm(caDir, { recursive: true, force: true });
    },
  };
}
