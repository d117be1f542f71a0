// The Anthropic Messages API as Claude Code calls it (POST /v1/messages?beta=true, stream: true): one scripted turn
// encoded as the server-sent events of one assistant message (text, or one tool_use block), or as a plain JSON
// message when the request did not ask for a stream.
import type { ModelReply } from './script.js';

type Json = Record<string, unknown>;

/** Which requests are turns of the agent's loop: the ones offering the Bash tool (side calls offer none). */
export function isClaudeTurn(body: Json | undefined): boolean {
  const tools = body?.tools;
  return Array.isArray(tools) && tools.some((t) => (t as Json)?.name === 'Bash');
}

/** The content block a reply becomes, and why the message stops. */
function block(reply: ModelReply, n: number): { content: Json; stop: 'end_turn' | 'tool_use' } {
  if ('text' in reply) return { content: { type: 'text', text: reply.text }, stop: 'end_turn' };
  if ('bash' in reply) {
    return { content: { type: 'tool_use', id: `toolu_fake${n}`, name: 'Bash', input: { command: reply.bash, description: 'Run a command' } }, stop: 'tool_use' };
  }
  return { content: { type: 'tool_use', id: `toolu_fake${n}`, name: reply.tool.name, input: reply.tool.input }, stop: 'tool_use' };
}

function usage(): Json {
  return { input_tokens: 12, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

/** The SSE body of one streamed message (event: X / data: JSON, blank line between events). */
export function anthropicStream(reply: ModelReply, n: number, model: string): string {
  const { content, stop } = block(reply, n);
  const events: [string, Json][] = [
    ['message_start', { message: { id: `msg_fake${n}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usage() } }],
  ];
  if (content.type === 'text') {
    events.push(['content_block_start', { index: 0, content_block: { type: 'text', text: '' } }]);
    events.push(['content_block_delta', { index: 0, delta: { type: 'text_delta', text: content.text } }]);
  } else {
    // A tool call streams its input as JSON text in pieces; one piece is a valid stream.
    events.push(['content_block_start', { index: 0, content_block: { ...content, input: {} } }]);
    events.push(['content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(content.input) } }]);
  }
  events.push(['content_block_stop', { index: 0 }]);
  events.push(['message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 5 } }]);
  events.push(['message_stop', {}]);
  return events.map(([type, data]) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`).join('');
}

/** The same reply as a non-streamed message body. */
export function anthropicMessage(reply: ModelReply, n: number, model: string): Json {
  const { content, stop } = block(reply, n);
  return { id: `msg_fake${n}`, type: 'message', role: 'assistant', model, content: [content], stop_reason: stop, stop_sequence: null, usage: usage() };
}

/** The tool results Claude Code sent back in a request (the last user message's tool_result blocks), as text. */
export function claudeToolResults(body: Json | undefined): string[] {
  const messages = (body?.messages ?? []) as Json[];
  const last = [...messages].reverse().find((m) => m.role === 'user');
  const content = Array.isArray(last?.content) ? (last!.content as Json[]) : [];
  return content
    .filter((c) => c.type === 'tool_result')
    .map((c) => (typeof c.content === 'string' ? c.content : ((c.content ?? []) as Json[]).map((p) => String(p.text ?? '')).join('')));
}
