// What an attacker running as the user does to the log after a canary fired, and how --verify still tells:
// cut tails, truncation, a chain recomputed without the fire events, a forged checkpoint; and old unkeyed logs.
import { readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventHash, EventLog, GENESIS_HASH } from '../../../src/events/event-log.js';
import { checkpointPath } from '../../../src/events/checkpoint.js';
import type { EventInput, GrithEvent } from '../../../src/events/types.js';
import { verifyEventLog } from '../../../src/events/verify.js';
import { eventsPath } from '../../../src/store/home.js';
import { tempHome } from '../../support/store-fixtures.js';

let home: string;
let file: string;
let log: EventLog;
beforeEach(async () => {
  home = await tempHome('grith-chain-');
  file = eventsPath(home);
  log = new EventLog(home);
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const info = (i: number): EventInput => ({ kind: 'canary.added', guard: 'cli', action: 'info', canaryId: `c${i}` });
const fire = (i: number): EventInput => ({ kind: 'canary.fired', guard: 'proxy', action: 'deny', canaryId: `c${i}`, where: 'evil.example:443' });

async function session(): Promise<GrithEvent[]> {
  const out: GrithEvent[] = [];
  for (const e of [info(1), info(2), fire(1), info(3), fire(2)]) out.push(await log.append(e));
  return out;
}

/** What an attacker without the key can do: rebuild a chain from kept events with the public (unkeyed) rule. */
function unkeyedChain(events: EventInput[]): string {
  let prev = GENESIS_HASH;
  return events
    .map((e, i) => {
      const base = { ts: new Date().toISOString(), seq: i + 1, ...e, prevHash: prev };
      const line = { ...base, hash: eventHash(base) };
      prev = line.hash;
      return JSON.stringify(line) + '\n';
    })
    .join('');
}

describe('evidence that survives the attacker', () => {
  it('an intact keyed log verifies against its signed checkpoint', async () => {
    await session();
    expect(await verifyEventLog(home)).toMatchObject({ ok: true, count: 5, keyed: 5, checkpoint: { seq: 5 } });
  });

  it('deleting the last lines is a cut tail', async () => {
    await session();
    const lines = (await readFile(file, 'utf8')).split('\n');
    await writeFile(file, lines.slice(0, 3).join('\n') + '\n');
    const r = await verifyEventLog(home);
    expect(r).toMatchObject({ ok: false, count: 3 });
    expect(r.reason).toMatch(/ends at seq 3 .* checkpoint records seq 5: 2 event\(s\) cut from the end/);
  });

  it('truncating the log to nothing, or deleting it, is a cut tail', async () => {
    await session();
    await writeFile(file, '');
    expect((await verifyEventLog(home)).reason).toMatch(/5 event\(s\) cut/);
    await unlink(file);
    expect((await verifyEventLog(home)).reason).toMatch(/5 event\(s\) cut/);
  });

  it('recomputing the whole chain without the fire events is detected, with or without the checkpoint', async () => {
    await session();
    await writeFile(file, unkeyedChain([info(1), info(2), info(3)]));
    const r = await verifyEventLog(home);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/cut from the end|rewritten/);
    await unlink(checkpointPath(home));
    const r2 = await verifyEventLog(home);
    expect(r2.ok).toBe(false);
    expect(r2.reason).toMatch(/recomputed without the key/);
  });

  it('dropping the fire events and re-appending keeps nothing valid: the line after the gap breaks', async () => {
    await session();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    lines.splice(2, 1);
    await writeFile(file, lines.join('\n') + '\n');
    expect(await verifyEventLog(home)).toMatchObject({ ok: false, line: 3 });
  });

  it('a checkpoint edited to match a cut log fails its signature', async () => {
    const evs = await session();
    const lines = (await readFile(file, 'utf8')).split('\n');
    await writeFile(file, lines.slice(0, 2).join('\n') + '\n');
    const cp = JSON.parse(await readFile(checkpointPath(home), 'utf8'));
    await writeFile(checkpointPath(home), JSON.stringify({ ...cp, seq: 2, hash: evs[1]!.hash }));
    expect((await verifyEventLog(home)).reason).toMatch(/signature is invalid/);
  });

  it('a log written before keying still verifies; appends then continue keyed and the prefix stays legacy', async () => {
    await writeFile(file, unkeyedChain([info(1), fire(1)]), { mode: 0o600 });
    const before = await verifyEventLog(home);
    expect(before).toMatchObject({ ok: true, count: 2, legacy: 2, keyed: 0 });
    expect(before.notes.join(' ')).toMatch(/unkeyed log/);
    const next = await log.append(info(2));
    expect(next.seq).toBe(3);
    expect(next.kid).toBeDefined();
    const after = await verifyEventLog(home);
    expect(after).toMatchObject({ ok: true, count: 3, legacy: 2, keyed: 1, checkpoint: { seq: 3 } });
    expect(after.notes.join(' ')).toMatch(/lines 1-2 were written before keying/);
    // Downgrading the keyed line to the unkeyed rule is caught.
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const third = JSON.parse(lines[2]!) as GrithEvent;
    const { kid: _k, hash: _h, ...rest } = third;
    lines[2] = JSON.stringify({ ...rest, hash: eventHash(rest as GrithEvent) });
    await writeFile(file, lines.join('\n') + '\n');
    expect((await verifyEventLog(home)).ok).toBe(false);
  });

  it('a deleted chain key makes keyed lines unverifiable (said plainly), never silently fine', async () => {
    await session();
    await unlink(`${home}/keys/chain.key`);
    const r = await verifyEventLog(home);
    expect(r).toMatchObject({ ok: false, line: 1 });
    expect(r.reason).toMatch(/chain key .* not in the keys folder/);
  });
});
