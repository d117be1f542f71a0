// The OpenAI Responses API as Codex calls it (POST /v1/responses, stream: true): one scripted turn encoded as the
// semantic server-sent events of one response (a message, or one function call of Codex's exec_command tool).
// Codex treats a stream that ends without response.completed as a dropped connection and retries, so every
// stream ends with it.
import type { ModelReply } from './script.js';

type Json = Record<string, unknown>;

/** Which requests are turns of the agent's loop: the ones offering the exec_command tool. */
export function isCodexTurn(body: Json | undefined): boolean {
  const tools = body?.tools;
  return Array.isArray(tools) && tools.some((t) => (t as Json)?.name === 'exec_command');
}

function outputItem(reply: ModelReply, n: number): Json {
  if ('text' in reply) {
    return { type: 'message', id: `msg_fake${n}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: reply.text, annotations: [] }] };
  }
  const [name, args] = 'bash' in reply ? ['exec_command', { cmd: reply.bash }] : [reply.tool.name, reply.tool.input];
  return { type: 'function_call', id: `fc_fake${n}`, call_id: `call_fake${n}`, name, arguments: JSON.stringify(args), status: 'completed' };
}

export function responsesStream(reply: ModelReply, n: number, model: string): string {
  const item = outputItem(reply, n);
  const response = (status: string, output: Json[]): Json => ({
    id: `resp_fake${n}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    model,
    status,
    output,
    ...(status === 'completed'
      ? { usage: { input_tokens: 12, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 17 } }
      : {}),
  });
  const events: [string, Json][] = [
    ['response.created', { response: response('in_progress', []) }],
    ['response.in_progress', { response: response('in_progress', []) }],
  ];
  if (item.type === 'message') {
    events.push(['response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }]);
    const text = (item.content as Json[])[0]!.text;
    events.push(['response.output_text.delta', { item_id: item.id, output_index: 0, content_index: 0, delta: text }]);
    events.push(['response.output_text.done', { item_id: item.id, output_index: 0, content_index: 0, text }]);
  } else {
    events.push(['response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } }]);
    events.push(['response.function_call_arguments.delta', { item_id: item.id, output_index: 0, delta: item.arguments }]);
    events.push(['response.function_call_arguments.done', { item_id: item.id, output_index: 0, arguments: item.arguments }]);
  }
  events.push(['response.output_item.done', { output_index: 0, item }]);
  events.push(['response.completed', { response: response('completed', [item]) }]);
  return events.map(([type, data], i) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: i, ...data })}\n\n`).join('');
}

/** The outputs of Codex's function calls in a request (function_call_output items), as text. */
export function codexToolResults(body: Json | undefined): string[] {
  const input = (body?.input ?? []) as Json[];
  return input
    .filter((i) => i.type === 'function_call_output')
    .map((i) => (typeof i.output === 'string' ? i.output : JSON.stringify(i.output)));
}
