// Exfiltration through files: a real `grith mount SRC MNT --zone work` and a real `grith shell` session (exec guard +
// proxy) working inside MNT/work. Copying a decoy, or writing a canary in any encoded form, split across writes or one
// byte at a time, to a file outside the working zone is refused (EACCES), recorded by the fs guard, and the file on
// the source disk holds nothing that contains a canary.
//
// Why not `grith shell --mount`: it mounts the whole workspace as the zone (it has no --zone), so nothing inside its
// mount is "out of the zone"; there a canary write is recorded as "canary staged" and allowed (last row).
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../src/core/canary.js';
import { leaks, startAttacker, type Attacker, type Received } from '../support/scenarios/attacker.js';
import { describeEvents, verdict } from '../support/scenarios/checks.js';
import {
  addCanaries,
  CLIENT,
  eventsUntil,
  lastSeq,
  removeBase,
  scenarioBase,
  sessionEnv,
  startMount,
  startSession,
  type RunResult,
  type Session,
} from '../support/scenarios/session.js';

const T = 120_000;

let dirs: Awaited<ReturnType<typeof scenarioBase>>;
let attacker: Attacker;
let mount: Awaited<ReturnType<typeof startMount>> | undefined;
let session: Session;
let all: Canary[];
let gh: Canary;
let aws: Canary;
let oai: Canary;
let mnt: string;

beforeAll(async () => {
  dirs = await scenarioBase('files');
  attacker = await startAttacker();
  all = await addCanaries(dirs.home, [
    { format: 'github-pat', label: 'gh-pat', decoy: ['.git-credentials'], env: ['GITHUB_TOKEN'] },
    { format: 'aws', label: 'aws-deploy', decoy: ['.aws/credentials'], env: ['AWS_SECRET_ACCESS_KEY'] },
    { format: 'openai-project', label: 'openai', decoy: ['work/.env'] },
  ]);
  [gh, aws, oai] = all as [Canary, Canary, Canary];
  await mkdir(join(dirs.src, 'work'));
  await mkdir(join(dirs.src, 'out'));
  await writeFile(join(dirs.src, 'work', 'main.py'), 'print("hello")\n');
  await writeFile(join(dirs.src, 'out', 'existing.log'), 'line 1\n');
  mnt = join(dirs.base, 'mnt');
  const env = sessionEnv(dirs.home, dirs.user, { GRITH_UPSTREAM_CA: attacker.caFile });
  mount = await startMount(dirs.home, dirs.src, mnt, ['--zone', 'work'], env);
  session = await startSession({ home: dirs.home, ctl: dirs.ctl, args: [], cwd: join(mnt, 'work'), env });
}, T);

afterAll(async () => {
  await session?.stop();
  await mount?.stop();
  await attacker?.close();
  if (dirs) await removeBase(dirs.base);
}, T);

const GH = { file: '../.git-credentials', re: 'ghp_[0-9A-Za-z]{36}' };
const AWS = { file: '../.aws/credentials', re: '(?<=aws_secret_access_key = )[A-Za-z0-9/+]{40}' };
const OAI = { file: '.env', re: 'sk-proj-[A-Za-z0-9_-]+' };
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const client = (src: { file: string; re: string }, enc: string, via: string, out: string, extra = ''): string =>
  `node ${CLIENT} --file ${src.file} --re ${q(src.re)} --enc ${enc} --via ${via} --out ${out} ${extra}`;

interface Route {
  name: string;
  canary: () => Canary;
  /** Destination relative to the mount root (and so to SRC): what must not hold the canary afterwards. */
  dest: string;
  cmd: (dest: string) => string;
}

const ROWS: Route[] = [
  { name: 'cp of a decoy out of the zone', canary: () => gh, dest: 'out/r01', cmd: (d) => `cp ../.git-credentials ${d}` },
  { name: 'cat of the in-zone decoy .env redirected out of the zone', canary: () => oai, dest: 'out/r02', cmd: (d) => `cat .env > ${d}` },
  { name: 'the plain token extracted by grep, redirected out', canary: () => gh, dest: 'out/r03', cmd: (d) => `grep -oP ${q(GH.re)} ${GH.file} > ${d}` },
  { name: 'tee of a decoy out of the zone', canary: () => aws, dest: 'out/r04', cmd: (d) => `tee ${d} < ${AWS.file} > /dev/null` },
  { name: 'appended to an existing file out of the zone', canary: () => gh, dest: 'out/existing.log', cmd: (d) => `grep -oP ${q(GH.re)} ${GH.file} >> ${d}` },
  { name: 'a canary variable written by Python', canary: () => aws, dest: 'out/r06', cmd: (d) => `python3 -c 'import os\nwith open("${d}", "w") as f: f.write("k=" + os.environ["AWS_SECRET_ACCESS_KEY"])'` },
  ...(
    [
      ['b64-0', GH, () => gh],
      ['b64-1', AWS, () => aws],
      ['b64-2', GH, () => gh],
      ['b64-nopad', OAI, () => oai],
      ['b64url-1', AWS, () => aws],
      ['hex', GH, () => gh],
      ['HEX', OAI, () => oai],
      ['pct', AWS, () => aws],
      ['json', GH, () => gh],
      ['utf16le', AWS, () => aws],
      ['rev', GH, () => gh],
      ['b64b64', OAI, () => oai],
      ['strip', GH, () => gh],
      ['trunc', GH, () => gh],
      ['tail', GH, () => gh],
    ] as const
  ).map(([enc, src, c], i): Route => ({ name: `${enc} written in one write`, canary: c, dest: `out/enc${i}`, cmd: (d) => client(src, enc, 'once', d) })),
  // Cut after ghp_ + 15: neither write alone holds 16 characters of the core.
  { name: 'split across two writes', canary: () => gh, dest: 'out/split2', cmd: (d) => client(GH, 'plain', 'two', d, '--split 19') },
  { name: 'one byte per write', canary: () => gh, dest: 'out/bytes', cmd: (d) => client(GH, 'plain', 'bytes', d) },
  { name: 'base64 split across two writes', canary: () => aws, dest: 'out/split2b64', cmd: (d) => client(AWS, 'b64-1', 'two', d) },
  {
    name: 'a file staged in the zone, then moved out of it (mv)',
    canary: () => gh,
    dest: 'out/moved',
    cmd: (d) => `grep -oP ${q(GH.re)} ${GH.file} > staged.txt && mv staged.txt ${d}`,
  },
];

function refused(r: RunResult): boolean {
  return r.code !== 0 && (r.code === 13 || /Permission denied|Operation not permitted|EACCES|EPERM|Invalid cross-device/i.test(r.stderr + r.stdout));
}

/** The destination file on the SOURCE disk (not through the mount): the canary must not be in it, in any form. */
async function onDisk(rel: string): Promise<Received[]> {
  const bytes = await readFile(join(dirs.src, rel)).catch(() => Buffer.alloc(0));
  return [{ seq: 0, kind: 'raw', conn: 0, bytes }];
}

describe('file exfiltration out of the working zone (grith mount --zone + grith shell)', () => {
  it(
    'control: a clean write out of the zone succeeds, and the decoys are readable in the session',
    async () => {
      const r = await session.run('echo "build ok" > ../out/control.txt && grep -c aws_access_key_id ../.aws/credentials && grep -c OPENAI_API_KEY= .env');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('1\n1\n');
      expect(await readFile(join(dirs.src, 'out', 'control.txt'), 'utf8')).toBe('build ok\n');
      // Decoys are virtual: never on the source disk.
      expect(await readdir(dirs.src)).not.toContain('.git-credentials');
    },
    T,
  );

  for (const [i, row] of ROWS.entries()) {
    it(
      `${String(i + 1).padStart(2, '0')} ${row.name}`,
      async () => {
        const seq = await lastSeq(dirs.home);
        const r = await session.run(row.cmd(`../${row.dest}`));
        const v = await verdict({ home: dirs.home, afterSeq: seq, canary: row.canary(), guard: 'fs', received: () => [], all });
        const diag = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nevents:\n${describeEvents(v.fired)}`;
        expect(refused(r), diag).toBe(true);
        expect(v.denials.length, diag).toBeGreaterThan(0);
        expect(leaks(await onDisk(row.dest), all), diag).toEqual([]);
      },
      T,
    );
  }

  it(
    'inside the zone a canary write is allowed and recorded as staged (alert), not denied',
    async () => {
      const seq = await lastSeq(dirs.home);
      const r = await session.run(`grep -oP ${q(GH.re)} ${GH.file} > notes-in-zone.txt`);
      expect(r.code, r.stderr).toBe(0);
      const evs = await eventsUntil(dirs.home, seq, (e) => e.kind === 'canary.fired' && e.guard === 'fs');
      const fired = evs.filter((e) => e.kind === 'canary.fired' && e.canaryId === gh.id);
      expect(fired.map((e) => `${e.guard}:${e.action}`), describeEvents(evs)).toEqual(['fs:alert']);
    },
    T,
  );

  it('events and the session output never carry a token', async () => {
    const raw = await readFile(join(dirs.home, 'events.jsonl'));
    expect(leaks([{ seq: 0, kind: 'raw', conn: 0, bytes: raw }, { seq: 0, kind: 'raw', conn: 1, bytes: Buffer.from(session.output()) }], all)).toEqual([]);
  });
});
