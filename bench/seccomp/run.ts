// bench/seccomp: what grith-launch's seccomp exec supervisor adds per exec, against the LD_PRELOAD guard alone, with
// and without the approvals shortcut: end to end (1,000 execs from bash), around the execve syscall itself (steadier
// on a shared machine), and the raw price of one notified syscall here. Prints Markdown tables.
// Run after `npm run build`: node dist/bench/seccomp/run.js [runs=5] [canaries=10]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Canary } from '../../src/core/canary.js';
import { FORMATS, getFormat } from '../../src/core/formats/index.js';
import { compileMatcher } from '../../src/core/matcher/index.js';
import { secretsOf, toTargets } from '../../src/core/targets.js';
import type { GuardContext } from '../../src/guards/guard-context.js';
import { ExecApprovals } from '../../src/guards/shell/exec-approvals.js';
import { ExecGuardServer } from '../../src/guards/shell/exec-guard-server.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const nums = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const runs = nums[0] ?? 5;
const nCanaries = nums[1] ?? 10;
const EXECS = 1000;
const launch = join(repo, 'native', 'seccomp', 'build', 'grith-launch');
const lib = join(repo, 'native', 'execguard', 'build', 'libgrith-execguard.so');
const tmp = mkdtempSync(join(tmpdir(), 'grith-bench-sc-'));

execFileSync('sh', [join(repo, 'scripts', 'build-native.sh')], { stdio: 'inherit' });
const tool = (name: string) => {
  execFileSync('cc', ['-O2', '-o', join(tmp, name), join(repo, 'bench', 'seccomp', `${name}.c`)], { stdio: 'inherit' });
  return join(tmp, name);
};
const notifyCost = tool('notify-cost');
const execLatency = tool('exec-latency');

// The session's side, in memory: a store of nCanaries canaries, nothing ever fires.
const canaries: Canary[] = Array.from({ length: nCanaries }, (_, i) => ({
  id: `b${i}`,
  label: `bench-${i}`,
  format: FORMATS[i % FORMATS.length]!.id,
  value: getFormat(FORMATS[i % FORMATS.length]!.id).generate().value,
  placements: [],
  createdAt: new Date().toISOString(),
  rotatedAt: null,
  terminate: false,
  fires: 0,
  lastFiredAt: null,
}));
const snap = { matcher: compileMatcher(toTargets(canaries)), canaries, secrets: canaries.flatMap(secretsOf), version: 1 };
const ctx: GuardContext = { snapshot: () => snap, onChange: () => () => undefined, record: async () => null, flush: async () => undefined };

interface Config {
  name: string;
  preload: boolean;
  launch: boolean;
  approvals: boolean;
}
const configs: Config[] = [
  { name: 'plain bash (no guard)', preload: false, launch: false, approvals: false },
  { name: 'LD_PRELOAD guard alone (today)', preload: true, launch: false, approvals: false },
  { name: '+ grith-launch, no approvals channel', preload: true, launch: true, approvals: false },
  { name: '+ grith-launch with approvals (the shortcut)', preload: true, launch: true, approvals: true },
  { name: 'grith-launch alone, every exec asked (static programs)', preload: false, launch: true, approvals: false },
  { name: 'grith-launch alone with approvals (same argv repeated)', preload: false, launch: true, approvals: true },
];

let n = 0;
/** grith-launch --stats lines of the loop runs, per configuration. */
const stats = configs.map(() => [] as Array<{ notified: number; shortcut: number; shortcut_cpu_us: number }>);
/** One timed run of `bash -c script` in the configuration, with a fresh session (the approvals socket is one-shot). */
async function once(c: Config, script: string): Promise<number> {
  return (await inSession(c, ['/bin/bash', '-c', script], script !== 'true')).ms;
}

/** PROGRAM run in the configuration; its stdout, the wall time, and grith-launch's counters kept when asked. */
async function inSession(c: Config, program: string[], keepStats: boolean): Promise<{ ms: number; out: string }> {
  const dir = join(tmp, `s${n++}`);
  execFileSync('mkdir', [dir]);
  const approvals = c.approvals ? await ExecApprovals.listen(join(dir, 'a.sock')) : null;
  const server = await ExecGuardServer.listen({ ctx, socketPath: join(dir, 'x.sock'), ...(approvals ? { approvals } : {}) });
  const env = { PATH: '/usr/bin:/bin', GRITH_EXEC_SOCK: join(dir, 'x.sock'), ...(c.preload ? { LD_PRELOAD: lib } : {}) };
  const args = ['--stats', '--exec-sock', join(dir, 'x.sock'), ...(approvals ? ['--approvals-sock', approvals.socketPath] : []), '--', ...program];
  try {
    return await new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const p = c.launch ? spawn(launch, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(program[0]!, program.slice(1), { env, stdio: ['ignore', 'pipe', 'ignore'] });
      let err = '';
      let out = '';
      p.stdout!.on('data', (d) => (out += d));
      p.stderr?.on('data', (d) => (err += d));
      p.stderr?.on('end', () => {
        if (keepStats && err.startsWith('{')) stats[configs.indexOf(c)]!.push(JSON.parse(err));
      });
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, out }) : reject(new Error(`${c.name}: exit ${code}`))));
    });
  } finally {
    await server.close();
    await approvals?.close();
  }
}

const loop = `for i in $(seq ${EXECS}); do /bin/true; done`;
const samples = configs.map(() => ({ loop: [] as number[], empty: [] as number[] }));
for (const c of configs) await once(c, loop); // warm caches
// Interleaved, configuration by configuration, so load drift hits all alike.
for (let r = 0; r < runs; r++) {
  for (const [i, c] of configs.entries()) {
    samples[i]!.loop.push(await once(c, loop));
    samples[i]!.empty.push(await once(c, 'true'));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const min = (xs: number[]) => Math.min(...xs);
// ms over 1,000 execs = µs per exec (start-up, measured with `bash -c true` in the same configuration, removed).
// The minimum is the steadier figure on a shared machine: noise only ever adds time.
const perExec = samples.map((s) => ((median(s.loop) - median(s.empty)) * 1000) / EXECS);
const perExecMin = samples.map((s) => ((min(s.loop) - min(s.empty)) * 1000) / EXECS);
const shortcutCpu = stats.map((xs) => (xs.length ? median(xs.map((x) => x.shortcut_cpu_us)) : NaN));
const shortcutShare = stats.map((xs) => (xs.length ? median(xs.map((x) => x.shortcut / x.notified)) : NaN));

const cost = JSON.parse(execFileSync(notifyCost, ['50000'], { encoding: 'utf8' })) as { plain_ns: number; filtered_ns: number; notified_ns: number };
// Around the syscall: no library here (it is not in the measured window); the shortcut is fed by the supervisor's own
// first question (same argv every time).
type Latency = { median_us: number; p90_us: number };
const latency = async (c: Config, n: number): Promise<Latency> => JSON.parse((await inSession(c, [execLatency, String(n)], false)).out) as Latency;
const latencies: Array<[string, Latency]> = [
  ['execve, no supervisor', await latency(configs[0]!, 2000)],
  ['execve under grith-launch, answered by the shortcut', await latency(configs[5]!, 2000)],
  ['execve under grith-launch, asked the full way', await latency(configs[4]!, 300)],
];
const f = (x: number) => x.toFixed(0);
const [l1] = loadavg();
process.stdout.write(`grith-launch bench — ${EXECS} execs of /bin/true from bash, median of ${runs} runs, ${nCanaries} canaries; load average ${l1!.toFixed(2)}\n\n`);
process.stdout.write(
  '| configuration | µs per exec, median (min) | over plain | over the LD_PRELOAD guard alone | execs answered by the shortcut | supervisor CPU per shortcut exec, µs |\n' +
    '| --- | ---: | ---: | ---: | ---: | ---: |\n',
);
for (const [i, c] of configs.entries()) {
  const over = (base: number) => `${f(perExec[i]! - perExec[base]!)} (${f(perExecMin[i]! - perExecMin[base]!)})`;
  const share = c.launch ? `${(shortcutShare[i]! * 100).toFixed(1)} %` : '—';
  const cpu = c.launch && c.approvals ? shortcutCpu[i]!.toFixed(1) : '—';
  process.stdout.write(
    `| ${c.name} | ${f(perExec[i]!)} (${f(perExecMin[i]!)}) | ${i === 0 ? '—' : over(0)} | ${c.preload && c.launch ? over(1) : '—'} | ${share} | ${cpu} |\n`,
  );
}
process.stdout.write('\n| one execve syscall in a freshly forked child (ENOENT after the check) | median µs | 90th percentile µs | added (median) |\n| --- | ---: | ---: | ---: |\n');
for (const [name, l] of latencies) {
  const added = name === latencies[0]![0] ? '—' : (l.median_us - latencies[0]![1].median_us).toFixed(1);
  process.stdout.write(`| ${name} | ${l.median_us.toFixed(1)} | ${l.p90_us.toFixed(1)} | ${added} |\n`);
}
process.stdout.write(
  `\nraw syscall cost (getppid): ${cost.plain_ns} ns plain, ${cost.filtered_ns} ns under an allow-all filter, ` +
    `${(cost.notified_ns / 1000).toFixed(1)} µs notified and answered CONTINUE at once\n`,
);
process.stdout.write('target: grith-launch with approvals adds ≤ 50 µs per exec over the LD_PRELOAD guard alone\n');
rmSync(tmp, { recursive: true, force: true });
