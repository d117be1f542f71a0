// The false-positive side: ordinary development work in a real `grith shell --mount` session (exec guard + proxy +
// mount) with 100 canaries registered — decoys of every format in the workspace, canary variables in the environment —
// clones a repository over HTTPS through the proxy, installs a dependency with npm over HTTPS, builds with tsc, runs the
// tests, edits, commits and pushes. Every command succeeds and no canary.fired (or guard.error) event is recorded.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddCanaryInput } from '../../src/session/canary-ops.js';
import { describeEvents } from '../support/scenarios/checks.js';
import { startDevServer, type DevServer } from '../support/scenarios/dev-server.js';
import {
  addCanaries,
  hostSh,
  readEvents,
  removeBase,
  ROOT,
  scenarioBase,
  seedBareRepo,
  sessionEnv,
  startSession,
  type RunResult,
  type Session,
} from '../support/scenarios/session.js';

const T = 120_000;
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Format → the file it usually hides in (as `grith canary formats` lists them). */
const FORMATS: [string, string][] = [
  ['aws', '.aws/credentials'],
  ['github-pat', '.git-credentials'],
  ['github-fine-grained', '.config/gh/hosts.yml'],
  ['gitlab-pat', '.python-gitlab.cfg'],
  ['slack-bot', '.env'],
  ['stripe-live', 'config/stripe.env'],
  ['openai-project', 'config/openai.env'],
  ['anthropic', 'config/anthropic.env'],
  ['npm', 'ci/.npmrc'],
  ['jwt', 'config/jwt.env'],
  ['ssh-ed25519', '.ssh/id_ed25519'],
  ['database-url', 'config/database.env'],
  ['generic', 'config/secrets.env'],
];

/** 100 canaries: every format as a decoy at its usual place, more decoys in a vault folder, 40 as variables. */
function hundredCanaries(): AddCanaryInput[] {
  const out: AddCanaryInput[] = [];
  for (let i = 0; i < 100; i++) {
    const [format, file] = FORMATS[i % FORMATS.length]!;
    const input: AddCanaryInput = { format, label: `fp-${format}-${i}` };
    if (i < FORMATS.length) input.decoy = [file];
    else if (i < 60) input.decoy = [`vault/${format}-${i}/${file.split('/').pop()}`];
    if (i % 5 === 0 || i >= 60) input.env = [`${format.toUpperCase().replace(/-/g, '_')}_KEY_${i}`];
    out.push(input);
  }
  return out;
}

let dirs: Awaited<ReturnType<typeof scenarioBase>>;
let forge: DevServer;
let session: Session;
let tarball: string;

beforeAll(async () => {
  dirs = await scenarioBase('fp');
  const gitRoot = join(dirs.base, 'forge');
  const files = join(dirs.base, 'files');
  await mkdir(gitRoot);
  await mkdir(files);

  // A small npm package, packed with npm pack, served over HTTPS.
  const pkg = join(dirs.base, 'pkg');
  await mkdir(pkg);
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'pad-left-lite', version: '1.2.0', main: 'index.js', license: 'MIT' }, null, 2));
  await writeFile(join(pkg, 'index.js'), "module.exports = (s, n, c = ' ') => String(s).padStart(n, c);\n");
  tarball = (await hostSh(`npm pack --silent --pack-destination ${files}`, pkg)).trim().split('\n').pop()!;

  forge = await startDevServer({ gitRoot, filesRoot: files });

  // The project the agent works on: TypeScript source, a test, a dependency on the tarball.
  await seedBareRepo(
    gitRoot,
    'invoice-service.git',
    {
      'package.json': JSON.stringify(
        {
          name: 'invoice-service',
          version: '0.3.0',
          private: true,
          type: 'commonjs',
          scripts: { build: 'tsc -p .', test: 'node --test test/' },
          dependencies: { 'pad-left-lite': `${forge.named}/files/${tarball}` },
        },
        null,
        2,
      ),
      'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', outDir: 'dist', strict: true, declaration: true }, include: ['src'] }, null, 2),
      'src/invoice.ts': `// Invoice numbering and totals.
declare const require: (id: string) => unknown;
const padLeft = require('pad-left-lite') as (s: string | number, n: number, c?: string) => string;

export interface Line { sku: string; qty: number; cents: number }

export function invoiceNumber(year: number, seq: number): string {
  return \`INV-\${year}-\${padLeft(seq, 6, '0')}\`;
}

export function total(lines: Line[]): number {
  return lines.reduce((sum, l) => sum + l.qty * l.cents, 0);
}
`,
      'test/invoice.test.js': `const { test } = require('node:test');
const assert = require('node:assert');
const { invoiceNumber, total } = require('../dist/invoice.js');

test('numbers are zero-padded', () => assert.strictEqual(invoiceNumber(2024, 42), 'INV-2024-000042'));
test('totals add up', () => assert.strictEqual(total([{ sku: 'a', qty: 2, cents: 150 }, { sku: 'b', qty: 1, cents: 99 }]), 399));
`,
      '.gitignore': 'node_modules/\ndist/\n',
      'README.md': '# invoice-service\n\nBuild with `npm run build`, test with `npm test`.\n',
    },
    join(dirs.base, 'seed'),
  );

  await addCanaries(dirs.home, hundredCanaries());
  await writeFile(join(dirs.src, 'NOTES.md'), '# agent workspace\n');
  const dst = join(dirs.base, 'ws');
  session = await startSession({
    home: dirs.home,
    ctl: dirs.ctl,
    args: ['--mount', `${dirs.src}:${dst}`],
    cwd: dirs.base,
    env: sessionEnv(dirs.home, dirs.user, { GRITH_UPSTREAM_CA: forge.caFile }),
    mountpoints: [dst],
  });
}, 180_000);

afterAll(async () => {
  await session?.stop();
  await forge?.close();
  if (dirs) await removeBase(dirs.base);
}, T);

async function alarms(): Promise<string> {
  const evs = (await readEvents(dirs.home)).filter((e) => e.kind === 'canary.fired' || e.kind === 'guard.error');
  return describeEvents(evs);
}

/** Run a step in the session: it must succeed and leave no canary.fired / guard.error event behind. */
async function step(script: string): Promise<RunResult> {
  const r = await session.run(`set -e\n${script}`);
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nsession: ${session.output()}`).toBe(0);
  expect(await alarms(), `events after: ${script}`).toBe('');
  return r;
}

describe('ordinary work with 100 canaries registered produces no event (grith shell --mount, proxy, exec guard)', () => {
  it(
    'the session holds 100 canaries: decoys in the workspace, variables in the environment',
    async () => {
      const store = JSON.parse(await readFile(join(dirs.home, 'store.json'), 'utf8')) as { canaries: unknown[] };
      expect(store.canaries).toHaveLength(100);
      const r = await step('ls -a; ls vault | wc -l; env | grep -c "_KEY_[0-9]*="');
      expect(r.stdout).toContain('.aws');
      expect(r.stdout).toContain('.git-credentials');
      expect(r.stdout.trim().split('\n').slice(-2)).toEqual(['47', '52']);
    },
    T,
  );

  it('git clone over HTTPS through the proxy', async () => {
    await step(`git clone -q ${forge.base}/git/invoice-service.git app\ngit -C app log --oneline | grep -q "initial import"`);
    expect(forge.requests.some((r) => r.startsWith('POST /git/invoice-service.git/git-upload-pack'))).toBe(true);
  }, T);

  it('npm install of a dependency over HTTPS through the proxy', async () => {
    // npm trusts only its cafile when one is configured (this machine's global npmrc names the system bundle): the
    // session points npm_config_cafile at its joined bundle, so npm needs no help here.
    await step('cd app\nnpm install --no-audit --no-fund --loglevel=error\ntest -f node_modules/pad-left-lite/index.js\ngrep -q integrity package-lock.json');
    expect(forge.requests).toContain(`GET /files/${tarball}`);
  }, T);

  it('build with tsc', async () => {
    await step(`cd app\nnode ${TSC} -p .\ntest -f dist/invoice.js && test -f dist/invoice.d.ts`);
  }, T);

  it('run the tests', async () => {
    const r = await step('cd app\nnode --test test/ 2>&1');
    expect(r.stdout).toMatch(/# pass 2/);
  }, T);

  it('edit, rebuild, test, commit and push', async () => {
    await step(
      [
        'cd app',
        `cat >> src/invoice.ts <<'EOF'

export function vat(cents: number, ratePercent: number): number {
  return Math.round((cents * ratePercent) / 100);
}
EOF`,
        "sed -i 's/# invoice-service/# invoice-service (VAT support)/' README.md",
        `node ${TSC} -p .`,
        'node --test test/ >/dev/null 2>&1',
        'git add -A',
        'git status --short',
        'git commit -qm "add VAT helper"',
        'git push -q origin main',
        'git log --oneline | head -3',
        'git diff HEAD~1 --stat',
        'grep -rn "export function" src | wc -l',
      ].join('\n'),
    );
    expect(forge.requests.some((r) => r.startsWith('POST /git/invoice-service.git/git-receive-pack'))).toBe(true);
    const log = await hostSh('git log --oneline main', join(dirs.base, 'forge', 'invoice-service.git'));
    expect(log).toContain('add VAT helper');
  }, T);

  it('no canary.fired and no guard.error event in the whole session; decoy reads are the only canary events', async () => {
    const evs = await readEvents(dirs.home);
    expect(evs.filter((e) => e.kind === 'canary.fired' || e.kind === 'guard.error')).toEqual([]);
    // Only the first step looked at the decoys (ls); nothing in the work itself opened one.
    const reads = evs.filter((e) => e.kind === 'canary.read');
    expect(reads.map((e) => e.where), 'decoy reads').toEqual([]);
    expect(await readFile(join(dirs.home, 'events.jsonl'), 'utf8')).not.toContain('"canary.fired"');
  });
});
