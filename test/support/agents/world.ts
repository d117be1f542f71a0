// One story's world: a copy of fixtures/agents/project as the source folder, a mountpoint, a GRITH_HOME with a decoy
// `.env` canary and an env canary, the agent's private HOME, a scripted fake model and a local attacker — all owned
// by the agent user — and the checks every story makes (events, what the model and the attacker received).
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Canary } from '../../../src/core/canary.js';
import { addCanary } from '../../../src/session/canary-ops.js';
import { BIN, REPO } from '../cli.js';
import { leaks, startAttacker, type Attacker, type Received } from '../scenarios/attacker.js';
import { startFakeModel, type FakeModel, type FakeModelOptions } from './fake-model.js';
import { ensureAgent, type AgentName, type InstalledAgent } from './install.js';
import { agentUser, chownTree, type AgentUser } from './os-user.js';
import { PROFILES, type AgentProfile, type PromptOptions } from './profiles.js';
import { describeRun, runAgent, screenText, type AgentRun } from './run-agent.js';
import type { ModelRequest, Turn } from './script.js';

/** An event as `grith events --json` prints it (kinds beyond today's union included). */
export interface Ev {
  seq: number;
  kind: string;
  guard: string;
  action: string;
  canaryId?: string;
  where?: string;
  pid?: number;
  cmdline?: string;
  message?: string;
  detail?: Record<string, unknown>;
}

export const ENV_CANARY = 'GITHUB_TOKEN';

export interface RunOptions extends PromptOptions {
  script: Turn[];
  prompt: string;
  /** Extra `grith shell` flags. */
  flags?: string[];
  /** false: run the agent directly, without grith. */
  grith?: boolean;
  /** The direct run's folder (default the source folder). */
  cwd?: string;
  /** Variables of the user's environment on top of the agent's own. */
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Piped to the agent's stdin (with an empty prompt, the prompt itself). */
  stdin?: string;
  onSpawn?: (pid: number) => void;
}
export const DECOY = '.env';

export interface World {
  agent: InstalledAgent;
  profile: AgentProfile;
  user: AgentUser;
  base: string;
  src: string;
  dst: string;
  /** The agent's private HOME. */
  home: string;
  grithHome: string;
  model: FakeModel;
  attacker: Attacker;
  decoy: Canary;
  env: Canary;
  all: Canary[];
  /** One agent run with this script: inside `grith shell --mount` (default) or directly (grith: false). */
  run(o: RunOptions): Promise<AgentRun>;
  events(): Promise<Ev[]>;
  /** Where any form of any canary shows up in these bytes (empty: nowhere). */
  leaksIn(items: Received[]): string[];
  /** The model's requests as leak-check items (raw body, and decoded body when it was compressed). */
  modelItems(reqs?: ModelRequest[]): Received[];
  /** Files under the agent's HOME that hold any form of any canary (what the agent persisted of its context). */
  persisted(): Promise<string[]>;
  /** A run, the model's requests and the events as one failure message, with every canary value masked. */
  explain(r: AgentRun, evs?: Ev[]): string;
  close(): Promise<void>;
}

export async function grithAs(user: AgentUser, grithHome: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env: { PATH: process.env.PATH, GRITH_HOME: grithHome, NO_COLOR: '1', GRITH_SHELL_HOST: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user.switch ? { uid: user.uid, gid: user.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d: Buffer) => (stdout += d));
    p.stderr!.on('data', (d: Buffer) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function makeWorld(name: AgentName, o: FakeModelOptions = {}): Promise<World> {
  const [agent, user] = await Promise.all([ensureAgent(name), agentUser()]);
  const profile = PROFILES[name];
  // Short paths: the session's sockets live under a folder whose path must fit sun_path.
  const base = await mkdtemp(path.join(tmpdir(), `ga-${name}-`));
  const src = path.join(base, 'src');
  const dst = path.join(base, 'ws');
  const home = path.join(base, 'u');
  const grithHome = path.join(base, 'g');
  await cp(path.join(REPO, 'fixtures/agents/project'), src, { recursive: true });
  await mkdir(dst);
  await mkdir(home);
  const decoy = await addCanary(grithHome, { format: 'openai-project', label: 'openai-decoy', decoy: [DECOY] });
  const env = await addCanary(grithHome, { format: 'github-pat', label: 'github-env', env: [ENV_CANARY] });
  const all = [decoy, env];
  // HTTPS by default, as real model endpoints: the session proxy intercepts it (what a user's agent goes through).
  const model = await startFakeModel(profile.api, [], { tls: true, ...o });
  const attacker = await startAttacker();
  await profile.prepareHome(home, model);
  // An HTTPS model's CA is what the session proxy must trust upstream (readable by the agent user).
  // Without grith, the agent itself trusts it the way a user adds a CA (Node/Bun and rustls/OpenSSL variables).
  const sessionEnv: Record<string, string> = {};
  const directEnv: Record<string, string> = {};
  if (model.caPem) {
    const ca = path.join(base, 'model-ca.pem');
    await writeFile(ca, model.caPem);
    sessionEnv.GRITH_UPSTREAM_CA = ca;
    Object.assign(directEnv, { NODE_EXTRA_CA_CERTS: ca, SSL_CERT_FILE: ca });
  }
  await chownTree(base, user);

  const mask = (s: string): string => {
    let out = s;
    for (const c of all) for (const v of [c.value, ...Object.values(c.companions ?? {})]) out = out.split(v).join(`[canary ${c.id}]`);
    return out;
  };
  const events = async (): Promise<Ev[]> => {
    const r = await grithAs(user, grithHome, ['events', '--json']);
    if (r.code !== 0) throw new Error(`grith events --json failed (${r.code}): ${r.stderr}`);
    // JSON lines: one event object per line.
    return r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Ev);
  };

  return {
    agent,
    profile,
    user,
    base,
    src,
    dst,
    home,
    grithHome,
    model,
    attacker,
    decoy,
    env,
    all,
    async run(r) {
      model.script(r.script);
      return runAgent({
        agent,
        user,
        home,
        args: profile.args(r.prompt, r),
        env: { ...(r.grith === false ? directEnv : {}), ...profile.env(model), ...r.env },
        cwd: r.cwd ?? (r.grith === false ? src : base),
        grith: r.grith === false ? undefined : { home: grithHome, src, dst, flags: r.flags, env: sessionEnv },
        timeoutMs: r.timeoutMs,
        onSpawn: r.onSpawn,
        stdin: r.stdin,
      });
    },
    events,
    leaksIn: (items) => leaks(items, all),
    async persisted() {
      const out: string[] = [];
      for (const rel of await readdir(home, { recursive: true })) {
        const file = path.join(home, rel);
        const bytes = await readFile(file).catch(() => null); // folders and vanished files
        if (bytes && leaks([{ seq: 0, kind: 'raw', conn: 0, bytes }], all).length > 0) out.push(file);
      }
      return out;
    },
    modelItems: (reqs = model.requests) =>
      reqs.flatMap((q) => [
        { seq: q.n, kind: 'body' as const, conn: q.n, bytes: q.body },
        ...(q.decoded ? [{ seq: q.n, kind: 'decoded' as const, conn: q.n, bytes: q.decoded }] : []),
      ]),
    explain(r, evs = []) {
      const reqs = model.requests.map((q) => `#${q.n} ${q.role} ${q.method} ${q.url} tool results: ${JSON.stringify(q.toolResults).slice(0, 400)}`).join('\n');
      const ev = evs.map((e) => `${e.seq} ${e.kind} ${e.guard} ${e.action} ${e.canaryId ?? '-'} ${e.where ?? ''}`).join('\n');
      return mask(`${describeRun(r)}\n--- model requests ---\n${reqs}\n--- events ---\n${ev}`);
    },
    async close() {
      await Promise.all([model.close(), attacker.close()]);
      await rm(base, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

export { screenText };
