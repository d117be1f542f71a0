// The environment of a `grith shell` session: exec guard, canary variables, proxy and CA trust variables.
import type { Canary } from '../../core/canary.js';
import { nodeProxyPreload, withNodeImport } from '../../guards/shell/node/preload.js';

export interface SessionProxyEnv {
  /** http://[user:pass@]127.0.0.1:PORT */
  url: string;
  /** grith's CA certificate alone (Node adds it to its roots; a whole bundle would cost 65–100 ms per Node start). */
  caCert: string;
  /** System roots joined with grith's CA (for tools that replace their roots with the file they are given). */
  caBundle: string;
}

export interface SessionEnvInput {
  base: NodeJS.ProcessEnv;
  execLib: string;
  execSock: string;
  session: string;
  /** Canary variables to set (envPlacements of the store's canaries). */
  placed: ReadonlyMap<string, string>;
  /** The real shell of the session (never grith itself, which would recurse). */
  shell: string;
  proxy?: SessionProxyEnv;
}

export const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy'] as const;
export const NO_PROXY_VARS = ['NO_PROXY', 'no_proxy'] as const;
export const CA_BUNDLE_VARS = [
  'SSL_CERT_FILE',
  'REQUESTS_CA_BUNDLE',
  'CURL_CA_BUNDLE',
  'GIT_SSL_CAINFO',
  'PIP_CERT',
  'AWS_CA_BUNDLE',
  'DENO_CERT',
  // npm's own cafile setting (often set machine-wide) would otherwise replace the roots with a bundle lacking grith's CA.
  'npm_config_cafile',
] as const;

/** Canary variables to place: name → value, from `--env NAME` placements (first canary wins on a clash). */
export function envPlacements(canaries: readonly Canary[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of canaries) {
    for (const p of c.placements) {
      if (p.kind === 'env' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name) && !out.has(p.name)) out.set(p.name, c.value);
    }
  }
  return out;
}

export function buildSessionEnv(input: SessionEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.base)) if (v !== undefined) env[k] = v;

  const placed = input.placed;
  for (const [name, value] of placed) env[name] = value;

  if (input.proxy) {
    for (const k of PROXY_VARS) env[k] = input.proxy.url;
    // Everything goes through the proxy, loopback included: a local relay is an exfiltration path too. Empty rather
    // than unset, so the exec guard can force the empty value onto a child that sets its own.
    env.NO_PROXY = '';
    env.no_proxy = '';
    env.NODE_USE_ENV_PROXY = '1';
    // Node before 22.21 / 24.5 ignores NODE_USE_ENV_PROXY (fetch would go straight out): a preload routes it instead.
    const nodePreload = nodeProxyPreload();
    if (nodePreload) env.NODE_OPTIONS = withNodeImport(env.NODE_OPTIONS, nodePreload);
    env.NODE_EXTRA_CA_CERTS = input.proxy.caCert;
    for (const k of CA_BUNDLE_VARS) env[k] = input.proxy.caBundle;
  }

  const preload = (env.LD_PRELOAD ?? '').split(/[: ]/).filter((p) => p !== '' && p !== input.execLib);
  env.LD_PRELOAD = [input.execLib, ...preload].join(':');
  env.GRITH_EXEC_SOCK = input.execSock;
  env.GRITH_EXEC_LIB = input.execLib;
  // The exec guard puts these back into every child's environment: canary variables and trust settings when a
  // child dropped them (env -i, env={}), routing variables always (a child cannot opt out of the proxy).
  const restored = [...placed.keys()];
  if (input.proxy) {
    restored.push('NODE_EXTRA_CA_CERTS', ...CA_BUNDLE_VARS);
    if (env.NODE_OPTIONS) restored.push('NODE_OPTIONS');
    env.GRITH_EXEC_FORCE = [...PROXY_VARS, ...NO_PROXY_VARS, 'NODE_USE_ENV_PROXY'].join(',');
  }
  env.GRITH_EXEC_ENV = restored.join(',');
  env.GRITH_SESSION = input.session;
  env.SHELL = input.shell;
  return env;
}
