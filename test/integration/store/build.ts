// Compiles the store and event modules (and what they import) with the repo's TypeScript into a private folder,
// so worker processes run the real compiled code without depending on dist/ or other modules' type errors.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Build {
  /** Absolute path of a compiled module, e.g. mod('src/store/canary-store.js'). */
  mod(rel: string): string;
  dir: string;
  cleanup(): Promise<void>;
}

export async function buildStoreModules(): Promise<Build> {
  // Inside the repo (git-ignored /tmp/) so compiled files resolve lowdb and chokidar from node_modules.
  await mkdir(path.join(ROOT, 'tmp'), { recursive: true });
  const dir = await mkdtemp(path.join(ROOT, 'tmp', 'store-it-'));
  const tsconfig = {
    extends: path.join(ROOT, 'tsconfig.json'),
    compilerOptions: { rootDir: ROOT, outDir: path.join(dir, 'out'), sourceMap: false, incremental: false },
    files: [
      path.join(ROOT, 'src/store/canary-store.ts'),
      path.join(ROOT, 'src/store/live-canaries.ts'),
      path.join(ROOT, 'src/events/event-log.ts'),
    ],
    include: [],
  };
  const cfg = path.join(dir, 'tsconfig.json');
  await writeFile(cfg, JSON.stringify(tsconfig));
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const p = spawn(process.execPath, [tsc, '-p', cfg], { cwd: ROOT });
    let output = '';
    p.stdout.on('data', (d) => (output += d));
    p.stderr.on('data', (d) => (output += d));
    p.on('close', (c) => resolve({ code: c, output }));
  });
  // tsc emits even with type errors elsewhere; only a missing output is fatal.
  const { access } = await import('node:fs/promises');
  await access(path.join(dir, 'out/src/store/canary-store.js')).catch(() => {
    throw new Error(`tsc produced no store build (exit ${code}):\n${output}`);
  });
  return {
    dir,
    mod: (rel) => path.join(dir, 'out', rel),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Run `node script args...`; resolves with exit code and output. */
export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [script, ...args], { env });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => resolve({ code, out }));
  });
}
