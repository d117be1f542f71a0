// The alert sinks a guard process delivers recorded events to: the configured webhooks (read from the store's
// settings, refreshed when the store changes) and, optionally, the terminal.
import type { StoreSettings } from '../core/canary.js';
import { InvalidInputError } from '../core/errors.js';
import type { EventSink } from '../events/sinks.js';
import type { GrithEvent } from '../events/types.js';
import { WebhookSink, redactUrl, type WebhookOptions, type WebhookTarget } from '../events/webhook-sink.js';
import { CanaryStore } from '../store/canary-store.js';
import { storePath } from '../store/home.js';
import { readStoreFile } from '../store/store-file.js';

export interface AlertSinks extends EventSink {
  /** Re-read the webhook list from the store (call on store change). */
  refresh(): Promise<void>;
  /** Wait for deliveries in flight, at most deadlineMs. */
  flush(deadlineMs?: number): Promise<void>;
}

export async function createAlertSinks(home: string, extra: EventSink[] = [], opts: WebhookOptions = {}): Promise<AlertSinks> {
  let targets: WebhookTarget[] = [];
  const refresh = async () => {
    try {
      const doc = await readStoreFile(storePath(home));
      targets = doc?.settings.webhooks ?? [];
    } catch {
      // A bad store is the guards' business (they fail closed); keep delivering to the last known webhooks.
    }
  };
  await refresh();
  const webhooks = new WebhookSink(() => targets, opts);
  return {
    deliver(e: GrithEvent) {
      webhooks.deliver(e);
      for (const s of extra) s.deliver(e);
    },
    refresh,
    flush: (deadlineMs?: number) => webhooks.flush(deadlineMs),
  };
}

export function validateWebhookUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidInputError(`invalid webhook URL "${redactUrl(url)}"`, 'give a full URL, e.g. https://hooks.example.com/grith');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new InvalidInputError(`webhook URL must be http or https, not ${u.protocol}`);
  }
  return u.toString();
}

export interface WebhookView {
  index: number;
  url: string;
  signed: boolean;
}

export async function addWebhook(home: string, url: string, secret?: string): Promise<WebhookView[]> {
  const clean = validateWebhookUrl(url);
  const store = await CanaryStore.open(home, { create: true });
  const list = await store.update((doc) => {
    const hooks = (doc.settings.webhooks ??= []);
    const existing = hooks.find((h) => h.url === clean);
    if (existing) {
      if (secret === undefined) delete existing.secret;
      else existing.secret = secret;
    } else hooks.push(secret === undefined ? { url: clean } : { url: clean, secret });
    return hooks;
  });
  return viewWebhooks(list);
}

export async function removeWebhook(home: string, urlOrIndex: string): Promise<WebhookView[]> {
  const store = await CanaryStore.open(home, { create: false });
  const list = await store.update((doc) => {
    const hooks = doc.settings.webhooks ?? [];
    const i = /^\d+$/.test(urlOrIndex) ? Number(urlOrIndex) - 1 : hooks.findIndex((h) => h.url === urlOrIndex || redactUrl(h.url) === urlOrIndex);
    if (i < 0 || i >= hooks.length) {
      throw new InvalidInputError(`no webhook "${urlOrIndex}"`, 'list them with: grith alerts list');
    }
    hooks.splice(i, 1);
    doc.settings.webhooks = hooks;
    return hooks;
  });
  return viewWebhooks(list);
}

export async function listWebhooks(home: string): Promise<WebhookView[]> {
  const store = await CanaryStore.open(home, { create: true });
  return viewWebhooks((await store.read()).settings.webhooks ?? []);
}

function viewWebhooks(hooks: NonNullable<StoreSettings['webhooks']>): WebhookView[] {
  // The query string and user-info may carry a receiver's token: show them redacted.
  return hooks.map((h, i) => ({ index: i + 1, url: redactUrl(h.url), signed: Boolean(h.secret) }));
}
