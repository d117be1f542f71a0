// The real agents against the scripted fake models with no grith at all: the harness itself works (a tool call runs,
// its output reaches the model, the final answer reaches stdout), and which process of each agent talks to its
// model (from the kernel: the client socket's owner), printed as a process tree for the model-channel rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentTestsSkipped, type AgentName } from '../support/agents/install.js';
import { ancestry, describeProc, socketOwner, type ProcInfo } from '../support/agents/proc.js';
import { makeWorld, screenText, type World } from '../support/agents/world.js';

const skip = agentTestsSkipped();
const T = 150_000;

for (const name of ['claude', 'codex'] as AgentName[]) {
  describe.skipIf(skip)(`${name} against its fake model, without grith`, () => {
    let w: World;
    /** Per model request: the owning process and its ancestors up to the spawned agent command. */
    const owners: ProcInfo[][] = [];
    let spawned = 0;

    beforeAll(async () => {
      w = await makeWorld(name, {
        inspect: (r) => {
          const pid = socketOwner(r.peerPort);
          owners.push(pid ? ancestry(pid, process.pid) : []);
        },
      });
    }, 300_000);
    afterAll(async () => w?.close());

    it('runs a tool the model asks for and answers; the tool output reaches the model', async () => {
      const r = await w.run({
        grith: false,
        prompt: 'What does this project do?',
        script: [{ bash: 'cat README.md' }, { text: 'It turns usage records into invoices.' }],
        onSpawn: (pid) => (spawned = pid),
      });
      expect(r.code, w.explain(r)).toBe(0);
      expect(screenText(r.stdout)).toContain('It turns usage records into invoices.');
      const turns = w.model.turns();
      expect(turns.length).toBe(2);
      expect(turns[1]!.toolResults.join('\n')).toContain('turns usage records into invoices');

      const tree = owners[turns[0]!.n - 1]!;
      expect(tree.length, 'the process holding the model connection is found').toBeGreaterThan(0);
      console.log(`[agents] ${name} ${w.agent.version}: process holding the model connection, then its ancestors up to the test:\n  ${tree.map(describeProc).join('\n  ')}`);
      // The model client is the spawned program itself (claude) or a child of it (codex's Node launcher on Node 20).
      const holder = tree[0]!;
      if (name === 'claude') expect(holder.pid).toBe(spawned);
      else {
        expect(holder.ppid).toBe(spawned);
        expect(holder.exe).toMatch(/codex-linux-x64\/vendor\/x86_64-unknown-linux-musl\/bin\/codex$/);
      }
    }, T);
  });
}
