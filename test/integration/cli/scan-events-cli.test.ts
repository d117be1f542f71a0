// grith scan exit codes and reports, and the event log as the CLI writes it: chained, verifiable, free of token values.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { variantsOf } from '../../../src/core/matcher/index.js';
import { grith, tempHome } from '../../support/cli.js';

describe('grith scan', () => {
  it('exits 1 with a report that names canary, variant, file and offset but never the value; 0 when clean', async () => {
    const home = await tempHome();
    const add = JSON.parse((await grith(['canary', 'add', '--format', 'github-pat', '--label', 'ci token', '--json'], { home })).stdout);
    const { value } = JSON.parse((await grith(['canary', 'show', add.id, '--reveal', '--json'], { home })).stdout);
    const dir = path.join(path.dirname(home), 'tree');
    await mkdir(path.join(dir, 'deep', 'er'), { recursive: true });
    await writeFile(path.join(dir, 'clean.ts'), 'export const x = 1;\n');
    const leak = `const cfg = { auth: "${Buffer.from('x' + value).toString('base64')}" };\n`;
    await writeFile(path.join(dir, 'deep', 'er', 'leak.js'), leak);

    const hit = await grith(['scan', dir], { home });
    expect(hit.code).toBe(1);
    expect(hit.stdout).toContain(add.id);
    expect(hit.stdout).toContain('ci token');
    expect(hit.stdout).toContain(path.join(dir, 'deep', 'er', 'leak.js'));
    expect(hit.stdout).toMatch(/base64/);
    expect(hit.stdout + hit.stderr).not.toContain(value);

    const json = await grith(['scan', dir, '--json'], { home });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ canaryId: add.id, variant: 'base64' });
    // The encoded token starts after the opening quote; its first stable base64 characters are at most 3 further.
    const encodedAt = leak.indexOf('"', 20) + 1;
    expect(report.findings[0].offset).toBeGreaterThanOrEqual(encodedAt);
    expect(report.findings[0].offset).toBeLessThanOrEqual(encodedAt + 3);

    const clean = await grith(['scan', path.join(dir, 'clean.ts')], { home });
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/clean/);

    const stdin = await grith(['scan', '-'], { home, input: `token: ${value.slice(4, 30)}\n` });
    expect(stdin.code).toBe(1);
    expect(stdin.stdout).toMatch(/core/);

    const missing = await grith(['scan', path.join(dir, 'nope')], { home });
    expect(missing.code).toBe(2);
  });

  it('records events that form a verifiable chain and never contain a value or any variant of it', async () => {
    const home = await tempHome();
    const ids: string[] = [];
    for (const f of ['aws', 'npm', 'jwt', 'slack-bot']) {
      ids.push(JSON.parse((await grith(['canary', 'add', '--format', f, '--env', 'X_' + f.replace('-', '_').toUpperCase(), '--json'], { home })).stdout).id);
    }
    const secrets: string[] = [];
    for (const id of ids) {
      const c = JSON.parse((await grith(['canary', 'show', id, '--reveal', '--json'], { home })).stdout);
      secrets.push(c.value, ...Object.values(c.companions ?? {}) as string[]);
    }
    const leak = secrets.map((s) => `${s}\n${Buffer.from(s).toString('hex')}\n`).join('');
    expect((await grith(['scan', '-'], { home, input: leak })).code).toBe(1);
    await grith(['canary', 'rotate', ids[0]], { home });
    await grith(['canary', 'remove', ids[1]], { home });

    const verify = await grith(['events', '--verify', '--json'], { home });
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
    // --json is JSON lines: one event object per line.
    const jsonl = (await grith(['events', '--json'], { home })).stdout;
    expect(jsonl.endsWith('\n')).toBe(true);
    const events = jsonl.trimEnd().split('\n').map((l) => JSON.parse(l)) as { kind: string; guard: string; action: string; seq: number }[];
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const last2 = (await grith(['events', '--json', '-n', '2'], { home })).stdout.trimEnd().split('\n');
    expect(last2.map((l) => JSON.parse(l).seq)).toEqual([events.length - 1, events.length]);
    expect(events.filter((e) => e.kind === 'canary.added')).toHaveLength(4);
    expect(events.some((e) => e.kind === 'canary.fired' && e.guard === 'scan' && e.action === 'alert')).toBe(true);
    expect(events.some((e) => e.kind === 'canary.rotated')).toBe(true);
    expect(events.some((e) => e.kind === 'canary.removed')).toBe(true);

    const log = await readFile(path.join(home, 'events.jsonl'), 'utf8');
    const text = (await grith(['events'], { home })).stdout;
    for (const s of secrets) {
      for (const v of variantsOf(s)) {
        const needle = v.bytes.toString('latin1');
        expect(log.includes(needle), `${v.variant} of a secret in events.jsonl`).toBe(false);
        expect(text.includes(needle), `${v.variant} of a secret in grith events`).toBe(false);
      }
    }
  });

  it('a file whose name carries the canary: found, and the name is masked in the report and the event (regression)', async () => {
    const home = await tempHome();
    const add = JSON.parse((await grith(['canary', 'add', '--format', 'github-pat', '--json'], { home })).stdout);
    const { value } = JSON.parse((await grith(['canary', 'show', add.id, '--reveal', '--json'], { home })).stdout);
    const dir = path.join(path.dirname(home), 'named');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `backup-${value}.txt`), `t=${value}\n`);
    const r = await grith(['scan', dir, '--json'], { home });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(value);
    expect(JSON.parse(r.stdout).findings[0].source).toBe(path.join(dir, `backup-ghp_…${value.slice(-4)}.txt`));
    expect(await readFile(path.join(home, 'events.jsonl'), 'utf8')).not.toContain(value);
  });

  it('--verify names the first broken line after an edit', async () => {
    const home = await tempHome();
    for (let i = 0; i < 3; i++) await grith(['canary', 'add', '--format', 'generic'], { home });
    const file = path.join(home, 'events.jsonl');
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    lines[1] = lines[1].replace('"info"', '"deny"');
    await writeFile(file, lines.join('\n') + '\n');
    const r = await grith(['events', '--verify'], { home });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/line 2/);
  });
});
