// Requirements grith takes from the machine: Node, FUSE (device, fusermount, libfuse 2), bubblewrap and
// unprivileged user namespaces (the sandboxed session).
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkFuseDevice } from '../guards/fs/fuse-binding.js';
import { packageRoot } from '../install/package-root.js';
import { aptLine, aptLineForPrograms, hasLibfuse2, libfuse2Hint, onPath } from '../install/prerequisites.js';
import { firstLine, missing, ok, type CheckResult } from './check.js';

export function checkNode(): CheckResult {
  const pj = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { engines?: { node?: string } };
  const wanted = pj.engines?.node ?? '>=20';
  const need = Number(/(\d+)/.exec(wanted)?.[1] ?? 20);
  const major = Number(process.versions.node.split('.')[0]);
  const detail = `v${process.versions.node} (grith needs ${wanted})`;
  return major >= need ? ok('node', 'Node.js', detail) : missing('node', 'Node.js', detail, `install Node.js ${need} or later`);
}

export async function checkFuseDev(): Promise<CheckResult> {
  const dev = process.env.GRITH_FUSE_DEVICE || '/dev/fuse';
  try {
    await checkFuseDevice();
    return ok('fuse-device', 'FUSE device', `${dev} is there and usable`);
  } catch (e) {
    return missing('fuse-device', 'FUSE device', firstLine(e).replace(/^FUSE is not available: /, ''), (e as { hint?: string }).hint);
  }
}

/** fusermount3, plus the `fusermount` name libfuse 2 runs; setuid root, or non-root mounts fail. */
export function checkFusermount(env: NodeJS.ProcessEnv = process.env): CheckResult {
  const title = 'fusermount3';
  const fm3 = onPath('fusermount3', env);
  const fm2 = onPath('fusermount', env);
  if (!fm3 || !fm2) {
    const which = !fm3 ? 'fusermount3 is not installed' : 'fusermount (which libfuse 2 runs) is not installed';
    return missing('fusermount', title, which, aptLine(['fuse3']));
  }
  if (process.getuid?.() !== 0) {
    const st = statSync(fm3);
    if (st.uid !== 0 || (st.mode & 0o4000) === 0) {
      return missing('fusermount', title, `${fm3} is not setuid root: mounting as a user fails`, `${process.getuid?.() === 0 ? '' : 'sudo '}chmod u+s ${fm3} (or reinstall fuse3)`);
    }
  }
  return ok('fusermount', title, fm3);
}

export function checkLibfuse2(): CheckResult {
  return hasLibfuse2()
    ? ok('libfuse2', 'libfuse 2', 'libfuse.so.2 is installed')
    : missing('libfuse2', 'libfuse 2', 'libfuse.so.2 is not installed (the FUSE binding links against it)', libfuse2Hint());
}

export function checkBwrap(env: NodeJS.ProcessEnv = process.env): CheckResult {
  const bwrap = onPath('bwrap', env);
  return bwrap
    ? ok('bwrap', 'bubblewrap', bwrap)
    : missing('bwrap', 'bubblewrap', 'bwrap is not installed (the sandboxed session runs in it)', aptLine(['bubblewrap']));
}

function sysctl(name: string): string | null {
  try {
    return readFileSync(join('/proc/sys', ...name.split('.')), 'utf8').trim();
  } catch {
    return null;
  }
}

/** Why unprivileged user namespaces are off, from the knobs distributions use. */
function usernsHint(): string {
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  if (sysctl('kernel.unprivileged_userns_clone') === '0') return `${sudo}sysctl -w kernel.unprivileged_userns_clone=1`;
  if (sysctl('user.max_user_namespaces') === '0') return `${sudo}sysctl -w user.max_user_namespaces=15000`;
  if (sysctl('kernel.apparmor_restrict_unprivileged_userns') === '1') {
    return `${sudo}sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (or give bwrap an AppArmor profile that allows userns)`;
  }
  return 'the container or its seccomp profile forbids user namespaces (docker: --security-opt seccomp=unconfined, or run on the host)';
}

/** Really create one: the kernel, sysctls, AppArmor and seccomp all have a say, so asking any one of them is not enough. */
export function checkUserNamespaces(env: NodeJS.ProcessEnv = process.env): CheckResult {
  const title = 'user namespaces';
  const bwrap = onPath('bwrap', env);
  const unshare = onPath('unshare', env);
  const probe = bwrap
    ? { cmd: bwrap, args: ['--unshare-user', '--ro-bind', '/', '/', 'true'], label: 'bwrap --unshare-user' }
    : unshare
      ? { cmd: unshare, args: ['-U', 'true'], label: 'unshare -U' }
      : null;
  if (!probe) return missing('userns', title, 'cannot test: neither bwrap nor unshare is installed', aptLineForPrograms(['bwrap']));
  const r = spawnSync(probe.cmd, probe.args, { encoding: 'utf8', timeout: 5000, env: { PATH: env.PATH ?? '/usr/bin:/bin' } });
  if (r.status === 0) return ok('userns', title, `an unprivileged user namespace can be created (${probe.label})`);
  const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
  return missing('userns', title, `${probe.label} failed: ${why}`, usernsHint());
}
