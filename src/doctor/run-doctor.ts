// grith doctor: every requirement of a session checked on this machine, and --fix for what can be fixed in place
// (native parts built, the home's and CA key's modes tightened). --fix never deletes anything.
import { chmod } from 'node:fs/promises';
import { buildNativeParts } from '../install/native-parts.js';
import { packageRoot } from '../install/package-root.js';
import { fixCommand } from '../install/prerequisites.js';
import type { CheckResult } from './check.js';
import { caKeyFixable, checkCa, checkHomeMode, checkStore, homeModeFixable } from './home-checks.js';
import { checkExecGuard, checkFuseBinding, checkLaunch, checkPty, NATIVE_CHECK_IDS } from './install-checks.js';
import { checkSinks } from './sink-checks.js';
import { checkBwrap, checkFuseDev, checkFusermount, checkLibfuse2, checkNode, checkUserNamespaces } from './system-checks.js';

export interface DoctorReport {
  /** True when everything a session needs is there (warnings allowed). */
  ok: boolean;
  root: string;
  home: string;
  checks: CheckResult[];
  fixes?: FixResult[];
}

export interface FixResult {
  action: string;
  ok: boolean;
  /** Build output when the build failed (compiler messages name what is missing). */
  output?: string;
}

export interface DoctorOptions {
  home: string;
  fix?: boolean;
  /** Called before each fix starts (progress for a person watching a build). */
  onFix?: (action: string) => void;
}

export async function runChecks(home: string): Promise<CheckResult[]> {
  const [fuseDev, fuseBinding, store, ca, sinks] = await Promise.all([
    checkFuseDev(),
    checkFuseBinding(),
    checkStore(home),
    checkCa(home),
    checkSinks(home),
  ]);
  return [
    checkNode(),
    fuseDev,
    checkFusermount(),
    checkLibfuse2(),
    fuseBinding,
    checkExecGuard(),
    checkLaunch(),
    checkPty(),
    checkBwrap(),
    checkUserNamespaces(),
    checkHomeMode(home),
    store,
    ca,
    ...sinks,
  ];
}

async function applyFixes(home: string, checks: CheckResult[], onFix?: (action: string) => void): Promise<FixResult[]> {
  const fixes: FixResult[] = [];
  const root = packageRoot();
  if (checks.some((c) => NATIVE_CHECK_IDS.has(c.id) && c.status !== 'ok')) {
    const action = `build the native parts in ${root}`;
    onFix?.(action);
    if (fixCommand(root).startsWith('sudo')) {
      fixes.push({ action, ok: false, output: `cannot write to ${root}: run sudo grith doctor --fix` });
    } else {
      const run = await buildNativeParts();
      fixes.push({ action, ok: run.ok, ...(run.ok ? {} : { output: run.output.trim() }) });
    }
  }
  if (homeModeFixable(home)) fixes.push(await chmodFix(`chmod 700 ${home}`, home, 0o700, onFix));
  const key = caKeyFixable(home);
  if (key) fixes.push(await chmodFix(`chmod 600 ${key}`, key, 0o600, onFix));
  return fixes;
}

async function chmodFix(action: string, file: string, mode: number, onFix?: (action: string) => void): Promise<FixResult> {
  onFix?.(action);
  try {
    await chmod(file, mode);
    return { action, ok: true };
  } catch (e) {
    return { action, ok: false, output: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
}

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  let checks = await runChecks(opts.home);
  let fixes: FixResult[] | undefined;
  if (opts.fix) {
    fixes = await applyFixes(opts.home, checks, opts.onFix);
    if (fixes.length > 0) checks = await runChecks(opts.home);
  }
  return {
    ok: checks.every((c) => c.status !== 'missing'),
    root: packageRoot(),
    home: opts.home,
    checks,
    ...(fixes ? { fixes } : {}),
  };
}
