// What a decoy file reads: the format's realistic file (a full credentials profile, a .env with neighbours), made
// once per canary value so it stays byte-identical across store reloads (a decoy that changes on every read is a tell).
import type { Canary } from '../../core/canary.js';
import { getFormat } from '../../core/formats/index.js';
import type { DecoyBody } from './decoys.js';

export function formatDecoyContent(): (canary: Canary) => DecoyBody {
  const cache = new Map<string, DecoyBody>();
  return (canary) => {
    const key = `${canary.id}\0${canary.label}\0${canary.value}`;
    let body = cache.get(key);
    if (!body) {
      try {
        const f = getFormat(canary.format).decoy({ value: canary.value, companions: canary.companions }, canary.label);
        body = { content: f.content, mode: f.mode };
      } catch {
        body = { content: canary.value + '\n', mode: 0o600 };
      }
      cache.set(key, body);
    }
    return body;
  };
}
