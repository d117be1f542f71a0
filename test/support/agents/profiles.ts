// How each agent is pointed at a fake model in a private HOME, with no login and no other network use, and how it is
// asked one non-interactive question — what a user's own configuration would say, nothing test-only in the agent.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FakeModel, ModelApi } from './fake-model.js';
import type { AgentName } from './install.js';

export interface PromptOptions {
  /** Continue the most recent conversation in this folder (Claude Code's --continue). */
  continue?: boolean;
  /** Machine-readable output (claude: stream-json; codex: exec --json). */
  json?: boolean;
}

export interface AgentProfile {
  name: AgentName;
  api: ModelApi;
  /** Write the agent's own configuration into HOME for this model. */
  prepareHome(home: string, model: FakeModel): Promise<void>;
  /** Variables the agent needs (API key, base URL, switches that keep it off the network otherwise). */
  env(model: FakeModel): Record<string, string>;
  args(prompt: string, o?: PromptOptions): string[];
}

/** Not canaries: the agents' own API keys, which the fake model accepts and a test may look for. */
export const AGENT_KEYS = { anthropic: 'sk-ant-api03-fakefakefakefakefakefakefakefakefakefake-AAAAAA', openai: 'sk-fake-openai-0000000000000000' } as const;

export const claude: AgentProfile = {
  name: 'claude',
  api: 'anthropic',
  async prepareHome(home) {
    await mkdir(path.join(home, '.claude'), { recursive: true });
    // Tools allowed without a prompt (as root Claude Code refuses --dangerously-skip-permissions; a user allows
    // tools in settings). The web-fetch preflight asks a claude.ai endpoint whether a domain is safe: off.
    await writeFile(
      path.join(home, '.claude', 'settings.json'),
      JSON.stringify({ permissions: { allow: ['Bash', 'WebFetch', 'ToolSearch'] }, skipWebFetchPreflight: true }, null, 2),
    );
  },
  env(model) {
    return {
      ANTHROPIC_BASE_URL: model.origin,
      ANTHROPIC_API_KEY: AGENT_KEYS.anthropic,
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_BUG_COMMAND: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    };
  },
  args(prompt, o = {}) {
    // An empty prompt: Claude Code reads it from stdin.
    return ['-p', ...(prompt ? [prompt] : []), ...(o.continue ? ['--continue'] : []), ...(o.json ? ['--output-format', 'stream-json', '--verbose'] : [])];
  },
};

export const codex: AgentProfile = {
  name: 'codex',
  api: 'openai',
  async prepareHome(home, model) {
    await mkdir(path.join(home, '.codex'), { recursive: true });
    // A custom provider on the Responses API over plain HTTP: no login, no WebSocket transport, no update check.
    const toml = [
      'model = "gpt-5.1-codex"',
      'model_provider = "fake"',
      'check_for_update_on_startup = false',
      '',
      '[analytics]',
      'enabled = false',
      '',
      // The curated plugin catalogue is a `git ls-remote` of a public repository at start: no network here.
      '[features]',
      'plugins = false',
      '',
      '[model_providers.fake]',
      'name = "Fake"',
      `base_url = "${model.origin}/v1"`,
      'wire_api = "responses"',
      'env_key = "OPENAI_API_KEY"',
      '',
    ].join('\n');
    await writeFile(path.join(home, '.codex', 'config.toml'), toml);
  },
  env() {
    return { OPENAI_API_KEY: AGENT_KEYS.openai };
  },
  args(prompt, o = {}) {
    // Full access: Codex's own sandbox would refuse the network before grith sees anything.
    return ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '--color', 'never', ...(o.json ? ['--json'] : []), prompt];
  },
};

export const PROFILES: Record<AgentName, AgentProfile> = { claude, codex };
