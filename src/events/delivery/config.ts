// The sinks to deliver to, read fresh from store.json: settings.sinks, plus webhooks added before sinks existed
// (settings.webhooks), which become webhook sinks with an id derived from their URL.
import { createHash } from 'node:crypto';
import type { SinkConfig, WebhookSink } from '../../core/sink-config.js';
import { DEFAULT_MIN_SEVERITY } from '../../core/sink-config.js';
import { storePath } from '../../store/home.js';
import { readStoreFile } from '../../store/store-file.js';

export function legacyWebhookId(url: string): string {
  return 'webhook-' + createHash('sha256').update(url).digest('hex').slice(0, 8);
}

export async function loadSinks(home: string): Promise<SinkConfig[]> {
  const doc = await readStoreFile(storePath(home));
  if (!doc) return [];
  const legacy: WebhookSink[] = (doc.settings.webhooks ?? []).map((w) => ({
    id: legacyWebhookId(w.url),
    type: 'webhook',
    url: w.url,
    ...(w.secret ? { secret: w.secret } : {}),
    minSeverity: DEFAULT_MIN_SEVERITY.webhook,
    // 0: unknown — starts at the first event the delivering process recorded (drain.ts legacyStart).
    fromSeq: 0,
    createdAt: '',
  }));
  return [...(doc.settings.sinks ?? []), ...legacy];
}
