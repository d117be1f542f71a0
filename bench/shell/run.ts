// bench/shell: `grith shell -c true` against `bash -c true` (median wall time of many runs), and the exec guard's
// cost per exec (1,000 execs of /bin/true in a loop, guarded session vs plain bash). Prints a Markdown table.
// Run after `npm run build`: node dist/bench/shell/run.js [runs=30] [--against OTHER_CHECKOUT] [--sandbox] (it refreshes
// the -c bundle first). --against measures a second built checkout of grith in the same run, row by row, interleaved;
// --sandbox measures this build with and without the session's sandbox (GRITH_NO_SANDBOX=1) the same way.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FORMATS } from '../../src/core/formats/index.js';
import { addCanary } from '../../src/session/canary-ops.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const args = process.argv.slice(2);
const against = args.includes('--against') ? args[args.indexOf('--against') + 1] : undefined;
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 30);
/** What is measured: this build, and the one given with --against (or this build without its sandbox). */
const here = join(repo, 'bin', 'run.js');
const bins: Array<[string, string, NodeJS.ProcessEnv]> = [
  ['this build', here, {}],
  ...(against ? [['--against', join(against, 'bin', 'run.js'), {}] as [string, string, NodeJS.ProcessEnv]] : []),
  ...(args.includes('--sandbox') ? [['--no-sandbox', here, { GRITH_NO_SANDBOX: '1' }] as [string, string, NodeJS.ProcessEnv]] : []),
];
// What an installed grith runs: the bundled hot path, current with the compiled files.
execFileSync(process.execPath, [join(repo, 'scripts', 'bundle-shell.mjs')], { stdio: 'inherit' });

function once(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    c.on('error', reject);
    c.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`));
      else resolve(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
}

async function median(n: number, cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  await once(cmd, args, env); // warm the page cache; a first `grith shell -c` also starts the shell host
  if (args.includes('shell')) {
    await new Promise((r) => setTimeout(r, 2500)); // the host loads the store and compiles the matcher
    await once(cmd, args, env);
  }
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push(await once(cmd, args, env));
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

async function homeWith(n: number): Promise<string> {
  const home = join(mkdtempSync(join(tmpdir(), 'grith-bench-sh-')), 'home');
  for (let i = 0; i < n; i++) {
    const format = FORMATS[i % FORMATS.length]!.id;
    await addCanary(home, { format, label: `bench-${i}`, env: i === 0 ? ['BENCH_TOKEN'] : [] });
  }
  return home;
}

// A NODE_EXTRA_CA_CERTS that names a whole system bundle costs every Node start 65–100 ms (this machine's default
// environment sets one): measure without it, as a grith session itself sets it to grith's CA alone.
const baseEnv: NodeJS.ProcessEnv = { ...process.env };
delete baseEnv.NODE_EXTRA_CA_CERTS;

const f = (x: number) => x.toFixed(1);
const rows: string[][] = [];
const env = (home: string) => ({ ...baseEnv, GRITH_HOME: home });

const bash = await median(runs, '/bin/bash', ['-c', 'true'], baseEnv);
const node = await median(runs, process.execPath, ['-e', '0'], baseEnv);
rows.push(['`bash -c true`', f(bash)]);
rows.push(['`node -e 0` (reference)', `${f(node)} (+${f(node - bash)})`]);

const homes: Array<[string, string]> = [];
for (const n of [0, 10, 1000]) homes.push([`${n} canaries`, await homeWith(n)]);
/** One row per measure: the median for each build (interleaved build by build). */
const measured: Array<[string, number[]]> = [];
async function measure(name: string, n: number, args: (bin: string) => string[], e: NodeJS.ProcessEnv): Promise<number[]> {
  // Warm each build (a first -c starts its shell host), then alternate sample by sample so load drifts hit both alike.
  for (const [, bin, extra] of bins) await median(1, process.execPath, args(bin), { ...e, ...extra });
  const samples: number[][] = bins.map(() => []);
  for (let i = 0; i < n; i++) for (let b = 0; b < bins.length; b++) samples[b]!.push(await once(process.execPath, args(bins[b]![1]), { ...e, ...bins[b]![2] }));
  const out = samples.map((xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!);
  measured.push([name, out]);
  return out;
}
for (const [name, home] of homes) {
  await measure(`\`grith shell --no-proxy -c true\`, no host (GRITH_SHELL_HOST=0), ${name}`, Math.max(5, Math.floor(runs / 3)), (bin) => [bin, 'shell', '--no-proxy', '-c', 'true'], { ...env(home), GRITH_SHELL_HOST: '0' });
  await measure(`\`grith shell --no-proxy -c true\` via the shell host, ${name}`, runs, (bin) => [bin, 'shell', '--no-proxy', '-c', 'true'], env(home));
  await measure(`\`grith shell -c true\` (proxy) via the shell host, ${name}`, runs, (bin) => [bin, 'shell', '-c', 'true'], env(home));
}
for (const [name, values] of measured) rows.push([name, ...values.map((v) => `${f(v)} (+${f(v - bash)})`)]);

const loop = 'for i in $(seq 1000); do /bin/true; done';
const execRuns = Math.max(3, Math.floor(runs / 6));
const plainLoop = await median(execRuns, '/bin/bash', ['-c', loop], baseEnv);
const execRows: string[][] = [];
for (const [name, home] of [homes[1]!, homes[2]!]) {
  const cells: string[] = [];
  for (const [, bin, extra] of bins) {
    const guardedLoop = await median(execRuns, process.execPath, [bin, 'shell', '--no-proxy', '-c', loop], { ...env(home), ...extra });
    const guardedEmpty = await median(execRuns, process.execPath, [bin, 'shell', '--no-proxy', '-c', 'true'], { ...env(home), ...extra });
    // ms over 1,000 execs = µs per exec.
    cells.push((guardedLoop - guardedEmpty - (plainLoop - bash)).toFixed(0));
  }
  execRows.push([name, f(plainLoop), ...cells]);
}

const [l1] = loadavg();
process.stdout.write(`grith shell bench — median of ${runs} runs (exec loop: ${execRuns}); load average ${l1!.toFixed(2)} on this machine\n\n`);
const heads = bins.map(([b]) => `${b}: median ms (+ over bash -c true)`);
process.stdout.write(`| command | ${heads.join(' | ')} |\n| --- |${' ---: |'.repeat(bins.length)}\n`);
for (const r of rows) process.stdout.write(`| ${r.join(' | ')}${r.length < bins.length + 1 ? ' |'.repeat(bins.length + 1 - r.length) : ''} |\n`);
const execHeads = bins.map(([b]) => `${b}: guard cost per exec, µs`);
process.stdout.write(`\n| 1,000 execs of /bin/true | plain bash, ms | ${execHeads.join(' | ')} |\n| --- | ---: |${' ---: |'.repeat(bins.length)}\n`);
for (const r of execRows) process.stdout.write(`| ${r.join(' | ')} |\n`);
process.stdout.write('\ntargets: -c overhead ≤ 75 ms; ≤ 1 ms (1,000 µs) per exec\n');
for (const [, home] of homes) rmSync(dirname(home), { recursive: true, force: true });
