// The hash-chained event log on a real temp home: chaining, tamper detection, input hygiene, following.
import { open, readdir, readFile, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLogCorruptError, InvalidInputError } from '../../../src/core/errors.js';
import {
  assertNoSecrets,
  canonicalJson,
  eventHash,
  EventLog,
  GENESIS_HASH,
  readLastLine,
  SecretInEventError,
} from '../../../src/events/event-log.js';
import type { EventInput, GrithEvent } from '../../../src/events/types.js';
import { eventsPath } from '../../../src/store/home.js';
import { sha256File, tempHome } from '../../support/store-fixtures.js';

let home: string;
let file: string;
let log: EventLog;
beforeEach(async () => {
  home = await tempHome('grith-events-');
  file = eventsPath(home);
  log = new EventLog(home);
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const fired = (i: number): EventInput => ({
  kind: 'canary.fired',
  guard: 'proxy',
  action: 'deny',
  canaryId: `id${i}`,
  label: `label ${i}`,
  fingerprint: '0123456789ab',
  variant: 'base64',
  where: `api.example.com:443 #${i}`,
  detail: { method: 'POST', bytes: i, tls: true },
});

async function appendN(n: number): Promise<GrithEvent[]> {
  const out: GrithEvent[] = [];
  for (let i = 1; i <= n; i++) out.push(await log.append(fired(i)));
  return out;
}

async function lines(): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').slice(0, -1);
}
async function writeLines(ls: string[]): Promise<void> {
  await writeFile(file, ls.map((l) => l + '\n').join(''));
}

describe('append', () => {
  it('chains events: seq from 1, prevHash of the first is 64 zeros, hash follows the documented rule', async () => {
    const evs = await appendN(3);
    expect(evs.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(evs[0]!.prevHash).toBe(GENESIS_HASH);
    expect(evs[1]!.prevHash).toBe(evs[0]!.hash);
    expect(evs[2]!.prevHash).toBe(evs[1]!.hash);
    const { createHmac } = await import('node:crypto');
    const key = Buffer.from((await readFile(path.join(home, 'keys', 'chain.key'), 'utf8')).trim(), 'hex');
    const { hash, ...rest } = evs[1]!;
    expect(rest.kid).toMatch(/^[0-9a-f]{16}$/);
    expect(hash).toBe(createHmac('sha256', key).update(rest.prevHash + canonicalJson(rest)).digest('hex'));
    expect(await log.readAll()).toEqual(evs);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(home)).sort()).toEqual(['events.jsonl', 'keys']);
    expect((await stat(path.join(home, 'keys'))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(home, 'keys', 'chain.key'))).mode & 0o777).toBe(0o600);
    const first = JSON.parse((await lines())[0]!);
    expect(Object.keys(first).slice(0, 3)).toEqual(['ts', 'seq', 'kind']);
    expect(Object.keys(first).slice(-2)).toEqual(['prevHash', 'hash']);
  });

  it('continues the chain across EventLog instances (state is the file, read from its end)', async () => {
    await appendN(2);
    const again = await new EventLog(home).append(fired(3));
    expect(again.seq).toBe(3);
    expect(await log.verify()).toMatchObject({ ok: true, count: 3, keyed: 3 });
  });

  it('keeps only known fields and rejects wrong types', async () => {
    const sneaky = { ...fired(1), body: Buffer.from('raw request body'), headers: { authorization: 'x' } } as unknown as EventInput;
    const ev = await log.append(sneaky);
    expect(ev).not.toHaveProperty('body');
    expect(await readFile(file, 'utf8')).not.toContain('raw request body');
    await expect(log.append({ ...fired(2), kind: 'canary.exploded' as never })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(log.append({ ...fired(2), where: 5 as never })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(log.append({ ...fired(2), detail: { nested: { a: 1 } } as never })).rejects.toBeInstanceOf(InvalidInputError);
    expect((await log.readAll()).length).toBe(1);
  });

  it('refuses to extend a log whose last line is cut off, and writes nothing', async () => {
    await appendN(2);
    const ls = await lines();
    await writeFile(file, ls[0] + '\n' + ls[1]!.slice(0, 40));
    const before = await sha256File(file);
    await expect(log.append(fired(3))).rejects.toBeInstanceOf(EventLogCorruptError);
    expect(await sha256File(file)).toBe(before);
  });

  it('with a secrets provider, refuses an event carrying a token and writes nothing', async () => {
    const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const guarded = new EventLog(home, { secrets: () => [token] });
    await guarded.append(fired(1));
    const before = await sha256File(file);
    const err = await guarded.append({ ...fired(2), where: `curl -H "Authorization: ${token}"` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretInEventError);
    expect((err as Error).message).toContain('where');
    expect((err as Error).message).not.toContain(token);
    await expect(guarded.append({ ...fired(2), detail: { arg: token } })).rejects.toBeInstanceOf(SecretInEventError);
    expect(await sha256File(file)).toBe(before);
  });
});

describe('assertNoSecrets', () => {
  it('checks every string field, detail keys and values; ignores empty secrets', () => {
    const s = 'sk_live_0123456789abcdefghij';
    expect(() => assertNoSecrets(fired(1), [s, ''])).not.toThrow();
    expect(() => assertNoSecrets({ ...fired(1), label: `x${s}x` }, [s])).toThrow(SecretInEventError);
    expect(() => assertNoSecrets({ ...fired(1), cmdline: s }, ['other', s])).toThrow(/cmdline/);
    expect(() => assertNoSecrets({ ...fired(1), detail: { [s]: 1 } }, [s])).toThrow(SecretInEventError);
  });
});

describe('readLastLine', () => {
  it('finds the last line across chunk boundaries without reading from the start', async () => {
    const long = 'y'.repeat(10_000);
    const prefix = 'earlier line\n'.repeat(10_000); // 130 000 bytes that must not be read
    await writeFile(file, `${prefix}${long}\n`);
    const fh = await open(file, 'r');
    const positions: number[] = [];
    const spy = {
      stat: () => fh.stat(),
      read: (buf: Buffer, off: number, len: number, pos: number) => {
        positions.push(pos);
        return fh.read(buf, off, len, pos);
      },
    } as unknown as typeof fh;
    try {
      expect(await readLastLine(spy, 64)).toBe(long);
    } finally {
      await fh.close();
    }
    // Backwards from the end: it stops within a chunk of the newline before the last line.
    expect(positions[0]).toBe(prefix.length + 10_000); // the final newline first
    expect(Math.min(...positions)).toBeGreaterThanOrEqual(prefix.length - 64);
    await writeFile(file, 'only\n');
    const fh2 = await open(file, 'r');
    try {
      expect(await readLastLine(fh2, 2)).toBe('only');
    } finally {
      await fh2.close();
    }
  });
});

describe('verify', () => {
  it('an absent or intact log is ok', async () => {
    expect(await log.verify()).toMatchObject({ ok: true, count: 0 });
    await appendN(5);
    expect(await log.verify()).toMatchObject({ ok: true, count: 5, keyed: 5, legacy: 0, checkpoint: { seq: 5 } });
  });

  it('an edited field breaks that line', async () => {
    await appendN(5);
    const ls = await lines();
    ls[2] = ls[2]!.replace('"action":"deny"', '"action":"info"');
    expect(ls[2]).toContain('"action":"info"');
    await writeLines(ls);
    expect(await log.verify()).toMatchObject({ ok: false, line: 3, reason: expect.stringMatching(/hash/) });
  });

  it('a deleted line breaks the line that takes its place', async () => {
    await appendN(5);
    const ls = await lines();
    ls.splice(1, 1);
    await writeLines(ls);
    expect(await log.verify()).toMatchObject({ ok: false, line: 2 });
  });

  it('two swapped lines break the first of them', async () => {
    await appendN(5);
    const ls = await lines();
    [ls[3], ls[4]] = [ls[4]!, ls[3]!];
    await writeLines(ls);
    expect(await log.verify()).toMatchObject({ ok: false, line: 4 });
  });

  it('an inserted copy of a line breaks at the insertion', async () => {
    await appendN(5);
    const ls = await lines();
    ls.splice(2, 0, ls[1]!);
    await writeLines(ls);
    expect(await log.verify()).toMatchObject({ ok: false, line: 3 });
  });

  it('a line forged without the key (plain SHA-256 hash, correct seq and prevHash) is broken itself', async () => {
    const evs = await appendN(5);
    const base = { ...evs[1]!, ts: new Date().toISOString(), seq: 3, prevHash: evs[1]!.hash, message: 'forged' };
    const { hash: _h, ...noHash } = base;
    const forged = { ...noHash, hash: eventHash(noHash) };
    const ls = await lines();
    ls.splice(2, 0, JSON.stringify(forged));
    await writeLines(ls);
    expect(await log.verify()).toMatchObject({ ok: false, line: 3, reason: expect.stringMatching(/without the key|forged/) });
  });

  it('a cut-off last line is broken; a blank line is broken', async () => {
    await appendN(4);
    const ls = await lines();
    await writeFile(file, ls.slice(0, 3).map((l) => l + '\n').join('') + ls[3]!.slice(0, ls[3]!.length - 10));
    expect(await log.verify()).toMatchObject({ ok: false, line: 4 });
    await writeFile(file, ls.slice(0, 3).map((l) => l + '\n').join('') + ls[3]); // only the final newline missing
    expect(await log.verify()).toMatchObject({ ok: false, line: 4, reason: expect.stringMatching(/cut off/) });
    await writeFile(file, [ls[0], ls[1], '', ls[2]].map((l) => l + '\n').join(''));
    expect(await log.verify()).toMatchObject({ ok: false, line: 3, reason: 'empty line' });
  });

  it('readAll names a damaged line', async () => {
    await appendN(3);
    const ls = await lines();
    ls[1] = '{"not":"an event"}';
    await writeLines(ls);
    await expect(log.readAll()).rejects.toThrow(/line 2/);
  });
});

describe('follow', () => {
  async function until(cond: () => boolean, ms = 3000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('by default delivers only events appended after it started, in order', async () => {
    await appendN(2);
    const got: number[] = [];
    const f = log.follow((e) => void got.push(e.seq), { intervalMs: 20 });
    await f.ready;
    await log.append(fired(3));
    await log.append(fired(4));
    await until(() => got.length >= 2);
    await f.close();
    expect(got).toEqual([3, 4]);
  });

  it('fromSeq replays the backlog from that seq, then tails; works before the file exists', async () => {
    const got: number[] = [];
    const f = log.follow((e) => void got.push(e.seq), { fromSeq: 2, intervalMs: 20 });
    await f.ready;
    await appendN(3);
    await until(() => got.length >= 2);
    await log.append(fired(4));
    await until(() => got.length >= 3);
    await f.close();
    expect(got).toEqual([2, 3, 4]);
  });

  it('a consumer that throws loses nothing: the error is reported and later events still arrive', async () => {
    const got: number[] = [];
    const errors: unknown[] = [];
    const f = log.follow(
      (e) => {
        got.push(e.seq);
        if (e.seq === 1) throw new Error('consumer failed');
      },
      { fromSeq: 1, intervalMs: 20, onError: (e) => errors.push(e) },
    );
    await f.ready;
    await appendN(3);
    await until(() => got.length >= 3);
    await f.close();
    expect(got).toEqual([1, 2, 3]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('consumer failed');
  });

  it('does not deliver a line until it is complete', async () => {
    await appendN(1);
    const got: GrithEvent[] = [];
    const f = log.follow((e) => void got.push(e), { fromSeq: 1, intervalMs: 20 });
    await f.ready;
    expect(got.map((e) => e.seq)).toEqual([1]);
    const next = JSON.stringify({ ...got[0]!, seq: 2 });
    await appendFile(file, next.slice(0, 30));
    await new Promise((r) => setTimeout(r, 100));
    expect(got.length).toBe(1);
    await appendFile(file, next.slice(30) + '\n');
    await until(() => got.length === 2);
    await f.close();
    expect(got[1]!.seq).toBe(2);
  });
});
