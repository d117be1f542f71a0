// The real agents against the scripted fake models, first with no grith at all (the harness itself works: a tool call
// runs, its output reaches the model, the final answer reaches stdout), then in a plain `grith shell --mount` session
// with nothing to catch. Both show, from the kernel (the client socket's owner), which process of each agent talks
// to its model — what the model-channel rule must recognise as "the session's agent process".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentTestsSkipped, INSTALL_TIMEOUT, type AgentName } from '../support/agents/install.js';
import { ancestry, descendants, describeProc, environOf, remotePortsOf, socketOwner, type ProcInfo } from '../support/agents/proc.js';
import { makeWorld, screenText, type World } from '../support/agents/world.js';

const skip = agentTestsSkipped();
const T = 150_000;
const AGENT_EXE: Record<AgentName, RegExp> = {
  claude: /claude-code-linux-x64\/claude$/,
  codex: /codex-linux-x64\/vendor\/x86_64-unknown-linux-musl\/bin\/codex$/,
};

/** The session's processes and which of them hold a connection to the session proxy (its port from HTTP_PROXY). */
function sessionSnapshot(grithPid: number): { tree: ProcInfo[]; holders: ProcInfo[] } {
  const tree = descendants(grithPid);
  const proxy = tree.map((p) => environOf(p.pid, 'HTTP_PROXY')).find((v) => v);
  const port = proxy ? Number(new URL(proxy).port) : -1;
  return { tree, holders: tree.filter((p) => remotePortsOf(p.pid).includes(port)) };
}

for (const name of ['claude', 'codex'] as AgentName[]) {
  describe.skipIf(skip)(`${name}: which process talks to the model`, () => {
    let w: World;
    /** Direct runs: per model request, the owning process and its ancestors up to the test. */
    const owners: ProcInfo[][] = [];
    /** Session runs: the grith pid, and the snapshot taken at the first model request. */
    let grithPid = 0;
    let snap: ReturnType<typeof sessionSnapshot> | null = null;

    beforeAll(async () => {
      w = await makeWorld(name, {
        // Plain HTTP here: without grith the agent has no reason to trust the fake model's throw-away CA.
        tls: false,
        // While a request is open its client socket is alive: the moment to ask the kernel who holds it.
        inspect: (r) => {
          if (grithPid) {
            if (!snap && r.role === 'turn') snap = sessionSnapshot(grithPid);
            return;
          }
          const pid = socketOwner(r.peerPort);
          owners.push(pid ? ancestry(pid, process.pid) : []);
        },
      });
    }, INSTALL_TIMEOUT);
    afterAll(async () => w?.close());

    it('without grith: runs a tool the model asks for and answers; the tool output reaches the model', async () => {
      let spawned = 0;
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
      console.log(`[agents] ${name} ${w.agent.version} without grith: the model connection's holder, then its ancestors:\n  ${tree.map(describeProc).join('\n  ')}`);
      // The model client is the spawned program itself (claude) or a child of it (codex's Node launcher on Node 20).
      const holder = tree[0]!;
      expect(holder.exe).toMatch(AGENT_EXE[name]);
      if (name === 'claude') expect(holder.pid).toBe(spawned);
      else expect(holder.ppid).toBe(spawned);
    }, T);

    it('inside grith shell: the agent connects to the session proxy from the same process', async () => {
      const r = await w.run({ prompt: 'Say hello.', script: [{ text: 'Hello.' }], onSpawn: (pid) => (grithPid = pid) });
      expect(r.code, w.explain(r)).toBe(0);
      expect(snap, 'a snapshot was taken at the first model request').not.toBeNull();
      const { tree, holders } = snap!;
      console.log(
        `[agents] ${name} inside grith shell (grith pid ${grithPid}): the session's processes at the first model request, holders of a proxy connection marked *:\n  ` +
          tree.map((p) => `${holders.some((h) => h.pid === p.pid) ? '*' : ' '} ${describeProc(p)}`).join('\n  '),
      );
      expect(holders.length).toBeGreaterThanOrEqual(1);
      for (const h of holders) expect(h.exe).toMatch(AGENT_EXE[name]);
    }, T);
  });
}

for (const name of ['claude', 'codex'] as AgentName[]) {
  describe.skipIf(skip)(`${name}: an HTTPS model through grith's TLS interception`, () => {
    let w: World;
    beforeAll(async () => {
      w = await makeWorld(name, { tls: true });
    }, INSTALL_TIMEOUT);
    afterAll(async () => w?.close());

    it("trusts the session's CA and finishes a tool turn over HTTPS", async () => {
      const r = await w.run({ prompt: 'What does this project do?', script: [{ bash: 'cat README.md' }, { text: 'Invoices.' }] });
      expect(r.code, w.explain(r, await w.events())).toBe(0);
      expect(screenText(r.stdout)).toContain('Invoices.');
      expect(w.model.origin).toMatch(/^https:/);
      expect(w.model.turns().length).toBe(2);
      expect(w.model.turns()[1]!.toolResults.join('\n')).toContain('invoices');
    }, T);
  });
}
