// Where an agent's model lives: the common providers' API hosts, the base URLs an agent is configured with, and the
// hosts the user names. A canary the agent itself sends there is context, not exfiltration (DESIGN.md, note 8).

/** The public API hosts of the common model providers (HTTPS, port 443). `*` stands for one DNS label. */
export const DEFAULT_MODEL_HOSTS: readonly string[] = [
  'api.anthropic.com',
  'api.openai.com',
  'chatgpt.com',
  'generativelanguage.googleapis.com',
  '*-aiplatform.googleapis.com',
  'api.mistral.ai',
  'openrouter.ai',
  '*.openai.azure.com',
  'bedrock-runtime.*.amazonaws.com',
];

/** Variables an agent's model endpoint is configured with; their hosts are model endpoints of the session. */
export const BASE_URL_VARS: readonly string[] = [
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_BEDROCK_BASE_URL',
  'ANTHROPIC_VERTEX_BASE_URL',
  'OPENAI_BASE_URL',
  'OPENAI_API_BASE',
  'AZURE_OPENAI_ENDPOINT',
  'GOOGLE_GEMINI_BASE_URL',
  'GEMINI_BASE_URL',
  'MISTRAL_BASE_URL',
  'OPENROUTER_BASE_URL',
  'OLLAMA_HOST',
];

export interface ModelEndpoint {
  /** Lower-case host name or IP literal; may hold `*` for one label. */
  host: string;
  port: number;
  /** Where it came from: default, a variable's name, or --model-host. */
  source: string;
}

const DEFAULT_PORT: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** host[:port] of a base URL (OLLAMA_HOST may be a bare host:port); null when it is not one. */
export function endpointOfUrl(value: string, source: string): ModelEndpoint | null {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return null;
  }
  const port = u.port ? Number(u.port) : DEFAULT_PORT[u.protocol];
  if (!u.hostname || port === undefined) return null;
  return { host: u.hostname.replace(/^\[|\]$/g, '').toLowerCase(), port, source };
}

/** `--model-host HOST[:PORT]` (port 443 when left out; an IPv6 literal in brackets). */
export function endpointOfFlag(value: string): ModelEndpoint | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9*._-]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return null;
  const port = m[2] === undefined ? 443 : Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1]!.replace(/^\[|\]$/g, '').toLowerCase(), port, source: '--model-host' };
}

function hostMatches(pattern: string, host: string): boolean {
  if (!pattern.includes('*')) return pattern === host;
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[a-z0-9-]+') + '$');
  return re.test(host);
}

export class ModelEndpoints {
  constructor(readonly list: readonly ModelEndpoint[]) {}

  /** Defaults, the base-URL variables set in env, and the --model-host flags, without repeats. */
  static from(env: NodeJS.ProcessEnv, flags: readonly string[] = []): ModelEndpoints {
    const out: ModelEndpoint[] = DEFAULT_MODEL_HOSTS.map((host) => ({ host, port: 443, source: 'default' }));
    for (const v of BASE_URL_VARS) {
      const value = env[v];
      const e = value ? endpointOfUrl(value, v) : null;
      if (e) out.push(e);
    }
    for (const f of flags) {
      const e = endpointOfFlag(f);
      if (e) out.push(e);
    }
    const seen = new Set<string>();
    return new ModelEndpoints(out.filter((e) => !seen.has(`${e.host}:${e.port}`) && seen.add(`${e.host}:${e.port}`)));
  }

  matches(host: string, port: number): boolean {
    const h = host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
    return this.list.some((e) => e.port === port && hostMatches(e.host, h));
  }

  /** For the start line and --help: `host:port` of every endpoint not among the defaults, then "and N providers". */
  describe(): string {
    const own = this.list.filter((e) => e.source !== 'default').map((e) => `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`);
    const defaults = this.list.length - own.length;
    return [...own, `${defaults} provider API hosts`].join(', ');
  }
}
