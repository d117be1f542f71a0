// Codex (pinned; its npm package's Node launcher and bundled native binary) inside a real
// `grith shell --mount SRC:DST -- codex exec …` session, driven by a scripted fake Responses API on 127.0.0.1, as the
// unprivileged agent user. Codex's provider base URL lives in its config.toml, not in the environment, so the
// stories that carry a canary to the model name the endpoint with --model-host.
// Stories 1 and 6 need the issue's product work (model channel; `--` passed verbatim and pipes); 2 and 3 hold today.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentTestsSkipped, ensureAgent, INSTALL_TIMEOUT } from '../support/agents/install.js';
import { cmd, denials, fired, jsonEvents, ofKind, readsOnce } from '../support/agents/stories.js';
import type { AgentRun } from '../support/agents/run-agent.js';
import { makeWorld, screenText, type Ev, type World } from '../support/agents/world.js';

const skip = agentTestsSkipped();
const T = 150_000;

describe.skipIf(skip)('Codex in a grith session', () => {
  let w: World | undefined;
  // A cold cache downloads the agent once (the lock makes other files wait for it): not part of any story's time.
  beforeAll(() => ensureAgent('codex'), INSTALL_TIMEOUT);
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('story 1: reads the decoy .env and an env canary, answers; the model got its context, one canary.context each, no deny', async () => {
    w = await makeWorld('codex');
    const answer = 'The project uses OPENAI_API_KEY and GITHUB_TOKEN.';
    const r = await w.run({
      flags: ['--model-host', w.model.authority],
      prompt: 'Which environment variables does this project use?',
      script: [{ bash: cmd.readDecoy }, { bash: cmd.readEnv }, { text: answer }],
    });
    const evs = await w.events();
    expect(r.code, w.explain(r, evs)).toBe(0);
    expect(screenText(r.stdout)).toContain(answer);
    const turns = w.model.turns();
    expect(turns.length, w.explain(r, evs)).toBe(3);
    expect(w.leaksIn(w.modelItems([turns[1]!])).join('\n')).toContain(w.decoy.id);
    expect(w.leaksIn(w.modelItems([turns[2]!])).join('\n')).toContain(w.env.id);
    expect(w.leaksIn(w.attacker.since(0))).toEqual([]);
    const read = readsOnce(evs, w.decoy);
    expect(read.byCat && read.perProcess, w.explain(r, evs)).toBe(true);
    expect(ofKind(evs, 'canary.context', w.decoy).length, w.explain(r, evs)).toBe(1);
    expect(ofKind(evs, 'canary.context', w.env).length, w.explain(r, evs)).toBe(1);
    expect(denials(evs), w.explain(r, evs)).toEqual([]);
    // The agent kept the context in its own state outside the mount; the session's end scan says where.
    const kept = await w.persisted();
    expect(kept.length, 'the agent persisted its context under HOME').toBeGreaterThanOrEqual(1);
    const persisted = ofKind(evs, 'canary.persisted');
    expect(persisted.length, w.explain(r, evs)).toBeGreaterThanOrEqual(1);
    expect(persisted.some((e) => kept.some((f) => (e.where ?? '').includes(f))), w.explain(r, evs)).toBe(true);
  }, T);

  it('story 2: exfiltration through a tool is denied, the agent reads a clear refusal and goes on to its answer', async () => {
    w = await makeWorld('codex');
    const world = w;
    const r = await w.run({
      prompt: 'Back up the configuration.',
      script: [{ bash: cmd.postDecoy(world) }, { bash: cmd.tokenInArgv(world) }, { text: 'grith blocked both uploads; nothing was sent.' }],
    });
    const evs = await w.events();
    expect(r.code, w.explain(r, evs)).toBe(0);
    expect(screenText(r.stdout)).toContain('grith blocked both uploads');
    const turns = w.model.turns();
    expect(turns.length, w.explain(r, evs)).toBe(3);
    expect(turns[1]!.toolResults.at(-1) ?? '', w.explain(r, evs)).toMatch(/blocked by grith|grith blocked/i);
    expect(turns[2]!.toolResults.at(-1) ?? '', w.explain(r, evs)).toMatch(/grith/i);
    console.log(`[agents] codex story 2: the refusals the model read back:\n  ${turns.slice(1).map((t) => JSON.stringify(t.toolResults.at(-1))).join('\n  ')}`);
    expect(fired(evs, w.decoy).filter((e) => e.guard === 'proxy' && e.action === 'deny').length, w.explain(r, evs)).toBeGreaterThanOrEqual(1);
    expect(fired(evs, w.env).filter((e) => e.guard === 'shell' && e.action === 'deny').length, w.explain(r, evs)).toBeGreaterThanOrEqual(1);
    expect(w.leaksIn(w.attacker.since(0))).toEqual([]);
    expect(w.leaksIn(w.modelItems())).toEqual([]);
  }, T);

  it('story 3: curl to the model host with another API key carrying the canary is denied (it is not the agent)', async () => {
    w = await makeWorld('codex');
    const r = await w.run({ prompt: 'Check the key in .env against the API.', script: [{ bash: cmd.otherKeyToModel(w) }, { text: 'The request was blocked.' }] });
    const evs = await w.events();
    expect(r.code, w.explain(r, evs)).toBe(0);
    expect(w.model.turns()[1]!.toolResults.at(-1) ?? '', w.explain(r, evs)).toMatch(/blocked by grith|grith blocked/i);
    expect(w.model.requests.filter((q) => String(q.headers['user-agent'] ?? '').startsWith('curl'))).toEqual([]);
    const deny = fired(evs, w.decoy).filter((e) => e.guard === 'proxy' && e.action === 'deny');
    expect(deny.length, w.explain(r, evs)).toBeGreaterThanOrEqual(1);
    expect(deny[0]!.where ?? '').toContain(w.model.authority);
    expect(ofKind(evs, 'canary.context')).toEqual([]);
  }, T);

  it('story 6: `codex exec --json` through grith is intact JSON lines, the same events as without grith', async () => {
    w = await makeWorld('codex');
    const world = w;
    const answer = 'It turns usage records into invoices.';
    const script = () => [{ bash: 'cat README.md' }, { text: answer }];
    const prompt = 'What does this project do?';
    const eventTypes = (r: AgentRun, evs: Ev[] = []): string[] =>
      jsonEvents(
        r.stdout,
        (e) => {
          const item = e.item as { type?: string; text?: string } | undefined;
          return e.type === 'item.completed' ? `${e.type}:${item?.type}${item?.type === 'agent_message' ? `:${item.text}` : ''}` : String(e.type);
        },
        () => world.explain(r, evs),
      );
    const direct = await w.run({ grith: false, json: true, prompt, script: script() });
    expect(direct.code, w.explain(direct)).toBe(0);
    const want = eventTypes(direct);
    console.log(`[agents] codex exec --json without grith: ${want.join(' | ')}`);
    expect(want[0]).toBe('thread.started');
    expect(want).toContain(`item.completed:agent_message:${answer}`);

    const r = await w.run({ json: true, prompt, script: script() });
    const evs = await w.events();
    expect(r.code, w.explain(r, evs)).toBe(0);
    expect(eventTypes(r, evs)).toEqual(want);
  }, T);
});
