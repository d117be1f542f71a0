// What a scripted fake model says: a list of turns, each answering the next request of the agent's loop with a tool
// call or a final text. A turn may be a function of the request it answers (what the agent sent so far).

/** One assistant reply: run a shell command with the agent's own shell tool, call a named tool, or answer. */
export type ModelReply = { bash: string } | { tool: { name: string; input: Record<string, unknown> } } | { text: string };

/** What the fake model received: one HTTP request, with the times it arrived and was answered (ms, wall clock). */
export interface ModelRequest {
  n: number;
  method: string;
  /** Path with query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body as sent, and decoded when it came with a Content-Encoding (what json is parsed from). */
  body: Buffer;
  decoded?: Buffer;
  json?: Record<string, unknown>;
  /** A turn of the agent's loop (it consumed a script turn), a side call (answered with SIDE_TEXT), or other. */
  role: 'turn' | 'side' | 'other';
  /** Index of the script turn it got (turns only). */
  turn?: number;
  /** The client's port as the server saw it (to find the process that owns the connection). */
  peerPort: number;
  receivedAt: number;
  bodyAt: number;
  answeredAt?: number;
  /** The text of the tool results this request carries back to the model. */
  toolResults: string[];
}

export type Turn = ModelReply | ((req: ModelRequest) => ModelReply);

/** The answer to any request the script does not cover (side calls, turns past the end). */
export const SIDE_TEXT = 'Noted.';
export const END_TEXT = 'The scripted conversation has ended.';
