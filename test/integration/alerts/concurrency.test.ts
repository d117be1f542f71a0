// Several grith processes recording at once (parallel scans): each event reaches the sink exactly once and in order,
// because only the process holding a sink's lock delivers, from the cursor it reads under that lock.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { grith, tempHome } from '../../support/cli.js';
import { httpReceiver, stopBackgroundDeliverer, until } from '../../support/receivers.js';

describe('concurrent recorders', () => {
  it('parallel grith scans: every fire delivered once, in seq order', async () => {
    const home = await tempHome();
    const rx = await httpReceiver();
    let pending = false;
    try {
      expect((await grith(['alerts', 'add-webhook', rx.url], { home })).code).toBe(0);
      const c = JSON.parse((await grith(['canary', 'add', '--format', 'openai-project', '--json'], { home })).stdout);
      const { value } = JSON.parse((await grith(['canary', 'show', c.id, '--reveal', '--json'], { home })).stdout);
      const file = path.join(path.dirname(home), 'leak.txt');
      await writeFile(file, `${value}\n`);
      const runs = await Promise.all(Array.from({ length: 5 }, () => grith(['scan', file], { home })));
      for (const r of runs) expect(r.code).toBe(1);
      pending = runs.some((r) => /alert delivery pending/.test(r.stderr));
      await until(() => rx.got.length >= 5, 10_000, 'five alerts');
      await new Promise((r) => setTimeout(r, 500));
      const seqs = rx.got.map((g) => JSON.parse(g.body.toString()).event.seq as number);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(5);
      expect(seqs).toHaveLength(5);
    } finally {
      await stopBackgroundDeliverer(home, pending ? 5000 : 0);
      await rx.close();
    }
  });
});
