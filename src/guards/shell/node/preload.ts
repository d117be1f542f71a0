// Where the session's Node preload (env-proxy.js) is, and how it joins NODE_OPTIONS. Only compiled JavaScript
// can be preloaded, so it is found as dist/src/guards/shell/node/env-proxy.js from src/, dist/src/ or dist/shell-fast/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let cached: string | null | undefined;

/** Node versions that honour NODE_USE_ENV_PROXY for fetch and the http/https global agents themselves. */
export function nativeEnvProxy(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 24 || (major === 24 && minor >= 5) || (major === 22 && minor >= 21);
}

/** file: URL of the compiled preload, or null when grith is not built (the session then runs without it). */
export function nodeProxyPreload(): string | null {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  cached = null;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'dist', 'src', 'guards', 'shell', 'node', 'env-proxy.js');
    if (existsSync(candidate)) {
      cached = pathToFileURL(candidate).href;
      break;
    }
    dir = dirname(dir);
  }
  return cached;
}

/** NODE_OPTIONS with `--import=URL` added once (a URL has no spaces to quote). */
export function withNodeImport(nodeOptions: string | undefined, url: string): string {
  const flag = `--import=${url}`;
  const current = (nodeOptions ?? '').trim();
  if (current.split(/\s+/).includes(flag)) return current;
  return current ? `${current} ${flag}` : flag;
}
