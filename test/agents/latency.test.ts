// What a grith session adds to each of an agent's model requests (story 1 of the issue): the same scripted
// conversation through `grith shell --mount` and directly, timed at the fake model and by the tool's own clock
// (see test/support/agents/latency.ts). Printed, not asserted against a number: speed belongs in figures, and a
// shared 2-core machine makes any threshold a flake. What is asserted is that the figures exist (the runs worked).
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';
import { agentTestsSkipped, INSTALL_TIMEOUT, type AgentName } from '../support/agents/install.js';
import { latency, latencyReport, timedScript } from '../support/agents/latency.js';
import { chownTree } from '../support/agents/os-user.js';
import type { ModelReply } from '../support/agents/script.js';
import { STORY1 } from '../support/agents/stories.js';
import { makeWorld, type World } from '../support/agents/world.js';

const skip = agentTestsSkipped();
const T = 150_000;

for (const name of ['claude', 'codex'] as AgentName[]) {
  describe.skipIf(skip)(`${name}: latency the session adds to model requests`, () => {
    let w: World;
    /** The direct runs' project: the same files with a plain .env of made-up values (no decoy outside a mount). */
    let plain: string;
    beforeAll(async () => {
      w = await makeWorld(name);
      plain = path.join(w.base, 'plain');
      await cp(path.join(REPO, 'fixtures/agents/project'), plain, { recursive: true });
      await writeFile(path.join(plain, '.env'), 'NODE_ENV=production\nPORT=4000\nOPENAI_API_KEY=not-a-real-key\n');
      await chownTree(w.base, w.user);
    }, INSTALL_TIMEOUT);
    afterAll(async () => w?.close());

    const measure = async (label: string, script: ModelReply[], flags: string[]): Promise<void> => {
      const mark = w.model.requests.length;
      const g = await w.run({ prompt: STORY1.prompt, script, flags });
      expect(g.code, w.explain(g, await w.events())).toBe(0);
      const mid = w.model.requests.length;
      const d = await w.run({ grith: false, cwd: plain, prompt: STORY1.prompt, script });
      expect(d.code, w.explain(d)).toBe(0);
      const turns = (from: number, to?: number) => w.model.requests.slice(from, to).filter((q) => q.role === 'turn');
      console.log(latencyReport(`${name} ${label}`, turns(mark, mid), turns(mid)));
      expect(latency(turns(mark, mid), turns(mid)).n).toBeGreaterThanOrEqual(3);
    };

    it('requests with no canary in them (the proxy scans and relays)', async () => {
      await measure('(no canary)', [...timedScript(6), { text: 'Done.' }], []);
    }, T);

    it('story 1: requests carrying the canaries as context (the proxy also asks who sent them)', async () => {
      // Codex's provider URL is in its config.toml, so the session is told the endpoint.
      await measure('story 1 (context)', STORY1.script(), name === 'codex' ? ['--model-host', w.model.authority] : []);
    }, T);
  });
}
