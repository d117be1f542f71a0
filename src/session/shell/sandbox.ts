// The session's sandbox: bubblewrap puts the program in its own user, mount, PID, IPC and UTS namespaces. Inside, the
// disk is read-only but for the workspace and the home view (both served by grith's scanning mounts) and a private
// /tmp; grith's state is gone (an empty folder over it, no GRITH_HOME); the guards' processes are not in its /proc.
// Only the guard endpoints the session needs are bound in, under /tmp/grith. See ../DESIGN.md.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve, sep } from 'node:path';
import { GrithError } from '../../core/errors.js';

export class SandboxUnavailableError extends GrithError {
  readonly code = 'SANDBOX_UNAVAILABLE';
}

/** Where the session's endpoints appear inside the sandbox. */
export const INSIDE = '/tmp/grith';
export const INSIDE_MARKER = `${INSIDE}/session`;

/** The exec guard's socket as a sandboxed session's programs see it (unique: it marks the session's processes). */
export function insideExecSock(session: string): string {
  return `${INSIDE}/exec-${session}.sock`;
}

export function insideApprovalsSock(session: string): string {
  return `${INSIDE}/approvals-${session}.sock`;
}

export interface SandboxBind {
  src: string;
  dst: string;
  rw: boolean;
  /** A grith view (it hides grith's state below it itself: nothing to mount over there). */
  view?: boolean;
}

export interface SandboxPlan {
  /** Bound in this order after the read-only root and the private /tmp: views, endpoints, rebinds. */
  binds: SandboxBind[];
  /** Folders that must look empty (grith's homes), unless a view already hides them. */
  hide: string[];
  cwd: string;
  /** A file that says "inside a guarded session" (grith commands that reveal or change canaries refuse there). */
  marker: string;
  /** The fd bubblewrap writes {"child-pid": N} to: killing N ends every process of the sandbox. */
  infoFd?: number;
  /**
   * The program runs under grith-launch as the namespace's init: the kernel then drops SIGKILL/SIGSTOP sent to it from
   * inside, and no capability is left to reach into it (native/seccomp/README.md).
   */
  supervised?: boolean;
}

let checked: string | null = null;

/** A probe that worked is remembered in grith's home (per bubblewrap build): a `-c` command must not pay for it each time. */
function probeMark(bwrap: string, home: string | undefined): string | null {
  return home && existsSync(home) ? join(home, `sandbox-ok-${Math.floor(statSync(bwrap).mtimeMs)}`) : null;
}

/** bubblewrap's path, once an unprivileged sandbox was really made here; else one clear error saying what to do. */
export function sandboxPreflight(home?: string): string {
  if (checked) return checked;
  // GRITH_BWRAP names the one bubblewrap to use (a build of your own, or none at all to test this refusal).
  const candidates = process.env.GRITH_BWRAP
    ? [process.env.GRITH_BWRAP]
    : ['/usr/bin/bwrap', '/bin/bwrap', ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'bwrap'))];
  const bwrap = candidates.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!bwrap) {
    throw new SandboxUnavailableError(
      'grith shell runs the session in a sandbox, and bubblewrap (bwrap) is not installed',
      'install it (apt-get install bubblewrap), or run without the sandbox: grith shell --no-sandbox (weaker: see grith doctor)',
    );
  }
  const mark = probeMark(bwrap, home);
  if (mark && existsSync(mark)) return (checked = bwrap);
  const r = spawnSync(bwrap, ['--unshare-user', '--unshare-pid', '--ro-bind', '/', '/', '--proc', '/proc', '/bin/true'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
    throw new SandboxUnavailableError(
      `cannot create the session's namespaces: ${why}`,
      'allow unprivileged user namespaces (Ubuntu 24.04: sysctl kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for bwrap; in a container: --security-opt seccomp=unconfined or CAP_SYS_ADMIN), or run grith shell --no-sandbox',
    );
  }
  try {
    if (mark) writeFileSync(mark, '', { mode: 0o600 });
  } catch {
    /* probe again next time */
  }
  checked = bwrap;
  return bwrap;
}

const under = (p: string, dir: string) => p === dir || p.startsWith(dir + sep);

/** What a private /tmp would hide: paths the session still needs, bound back read-only. */
export function tmpRebinds(paths: readonly string[]): SandboxBind[] {
  const out: SandboxBind[] = [];
  for (const p of paths) {
    let real: string;
    try {
      real = realpathSync(resolve(p));
    } catch {
      continue;
    }
    if (!['/tmp', '/var/tmp'].some((t) => under(real, t))) continue;
    if (out.some((b) => under(real, b.src))) continue;
    out.push({ src: real, dst: real, rw: false });
  }
  return out;
}

/** The bubblewrap arguments (before the program and its arguments). */
export function bwrapArgs(plan: SandboxPlan): string[] {
  const a = ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--hostname', 'grith-session'];
  if (plan.supervised) a.push('--as-pid-1', '--cap-drop', 'ALL');
  a.push('--ro-bind', '/', '/', '--dev-bind', '/dev', '/dev', '--tmpfs', '/dev/shm', '--proc', '/proc', '--tmpfs', '/tmp');
  if (existsSync('/var/tmp')) a.push('--tmpfs', '/var/tmp');
  const runUser = `/run/user/${process.getuid?.() ?? 0}`;
  if (existsSync(runUser)) a.push('--tmpfs', runUser);
  for (const b of plan.binds) a.push(b.rw ? '--bind' : '--ro-bind', b.src, b.dst);
  for (const h of plan.hide) {
    // A folder a view already covers is hidden by the view (it would not even exist there to mount on).
    if (plan.binds.some((b) => b.view && under(h, b.dst))) continue;
    if (existsSync(h) && statSync(h).isDirectory()) a.push('--tmpfs', h);
  }
  a.push('--ro-bind', plan.marker, INSIDE_MARKER, '--chdir', plan.cwd);
  if (plan.infoFd !== undefined) a.push('--info-fd', String(plan.infoFd));
  return a;
}

/** The grith mount a path lies in (a workspace served by `grith mount`), as the kernel lists it; else null. */
export async function enclosingGrithMount(path: string): Promise<string | null> {
  const { mountTable } = await import('../../guards/fs/mount-table.js');
  let best: string | null = null;
  for (const [mp, type] of await mountTable()) {
    if (type === 'fuse.grith' && under(path, mp) && (!best || mp.length > best.length)) best = mp;
  }
  return best;
}
