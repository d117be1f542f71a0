// bench/sandbox: ordinary work inside a sandboxed `grith shell -- …` session (workspace and home served through
// grith's scanning views, grith-launch supervising every exec) against the same work unguarded and under
// `--no-sandbox`, in one run: `git status` on a 10,000-file tree (median of 10 inside one session) and `npm install`
// of a mid-size project (express + its tree, from a warm npm cache). Prints a Markdown table.
// Run after `npm run build`: node dist/bench/sandbox/run.js
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addCanary } from '../../src/session/canary-ops.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(repo, 'bin', 'run.js');
const base = mkdtempSync(join(tmpdir(), 'grith-bench-sbx-'));
const home = join(base, 'grith');
await addCanary(home, { format: 'github-pat', label: 'bench', env: ['BENCH_TOKEN'], decoy: ['.env'] });

// A 10,000-file repository, committed.
const tree = join(base, 'tree');
for (let d = 0; d < 100; d++) {
  mkdirSync(join(tree, `d${d}`), { recursive: true });
  for (let f = 0; f < 100; f++) writeFileSync(join(tree, `d${d}`, `f${f}.txt`), `file ${d}/${f}\n`);
}
const git = (args: string[]) => execFileSync('git', args, { cwd: tree, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x.invalid' } });
git(['init', '-q']);
git(['add', '-A']);
git(['commit', '-qm', 'tree']);

// A project with a real dependency tree; one unguarded install first warms the npm cache.
const project = join(base, 'project');
mkdirSync(project);
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bench-project', version: '1.0.0', private: true, dependencies: { express: '4.21.2' } }));
const npm = 'npm install --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null && rm -rf node_modules package-lock.json';

/** bash -c SCRIPT run n times in one process, each timed by bash itself: the median in ms. */
const timed = (script: string, n: number) =>
  `TIMEFORMAT=%R; for i in $(seq ${n}); do { time ${script} ; } 2>&1 >/dev/null | tail -1; done`;

function measure(cwd: string, script: string, n: number, how: 'plain' | 'no-sandbox' | 'sandbox'): number {
  const inner = timed(script, n);
  const cmd =
    how === 'plain'
      ? ['/bin/bash', ['-c', inner]]
      : [process.execPath, [bin, 'shell', ...(how === 'no-sandbox' ? ['--no-sandbox'] : []), '--no-prompt', '--', '/bin/bash', '-c', inner]];
  const r = spawnSync(cmd[0] as string, cmd[1] as string[], { cwd, encoding: 'utf8', env: { ...process.env, GRITH_HOME: home, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`${how} failed: ${r.stderr}`);
  const xs = r.stdout
    .trim()
    .split('\n')
    .map((l) => Number(l) * 1000)
    .filter((x) => Number.isFinite(x))
    .sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

execFileSync('/bin/bash', ['-c', npm], { cwd: project, stdio: 'inherit' });
const rows: string[][] = [];
for (const [name, cwd, script, n] of [
  ['`git status`, 10,000 files (median of 10)', tree, 'git status --porcelain', 10],
  ['`npm install` express 4.21 (warm cache, median of 3)', project, npm, 3],
] as const) {
  const plain = measure(cwd, script, n, 'plain');
  const noSandbox = measure(cwd, script, n, 'no-sandbox');
  const sandbox = measure(cwd, script, n, 'sandbox');
  rows.push([name, plain.toFixed(0), noSandbox.toFixed(0), sandbox.toFixed(0), `${(sandbox / plain).toFixed(2)}×`]);
}
process.stdout.write(`grith sandbox bench — load average ${loadavg()[0]!.toFixed(2)}\n\n`);
process.stdout.write('| work | unguarded, ms | grith shell --no-sandbox, ms | grith shell (sandbox, views), ms | sandbox / unguarded |\n| --- | ---: | ---: | ---: | ---: |\n');
for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
rmSync(base, { recursive: true, force: true });
