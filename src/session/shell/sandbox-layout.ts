// What a sandboxed session's program sees, and how it is started: the guard endpoints bound in under /tmp/grith
// (the grant's paths rewritten to them), grith's homes hidden, the views bound over the paths they serve, and what
// a private /tmp would hide bound back read-only. Shared by every way a session starts a program (PTY, pipes, `-c`
// in-process or through the shell host).
import { dirname, join } from 'node:path';
import { packageRoot } from '../../install/package-root.js';
import type { CommandGrant } from './command.js';
import { bwrapArgs, INSIDE, insideApprovalsSock, insideExecSock, tmpRebinds, type SandboxBind } from './sandbox.js';

export interface SandboxLayoutInput {
  /** bubblewrap (sandboxPreflight). */
  bwrap: string;
  grant: CommandGrant;
  /** GRITH_HOME (hidden inside) and the caller's environment (HOME, PATH). */
  grithHome: string;
  env: NodeJS.ProcessEnv;
  /** Where the program starts (a path as seen inside). */
  cwd: string;
  /** Scanning views bound over the paths they serve (workspace, home), in order. */
  views: SandboxBind[];
  /** Bound read-write as they are (no view): what a `-c` command may change in place. */
  direct?: string[];
  /** More paths the program needs that may lie in /tmp (its own files). */
  keep?: string[];
}

export interface SandboxLayout {
  /** The grant with every path as the program sees it. */
  grant: CommandGrant;
  /**
   * How to start file with args and the session's environment (built with `grant`): bubblewrap's argv, and the
   * environment to spawn it with — GRITH_HOME gone (the program must not learn where grith keeps its state), and
   * LD_PRELOAD handed to the inside only (bubblewrap itself need not load the exec guard and ask it about its own exec).
   */
  start(file: string, args: readonly string[], built: Record<string, string>): { file: string; args: string[]; env: Record<string, string> };
}

/**
 * Absolute paths the caller's environment names (PATH entries, GIT_CONFIG_GLOBAL, KUBECONFIG…): the program expects
 * them, so those a private /tmp would hide stay visible, read-only. grith's own variables are not followed.
 */
function pathsNamedBy(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    // A temporary folder stays private: the program's own /tmp, not the caller's.
    if (!v || k.startsWith('GRITH_') || k === 'TMPDIR' || k === 'TMP' || k === 'TEMP') continue;
    // Never grith's own private folders (a session's or a shell host's sockets), whatever a variable says.
    for (const part of v.split(':')) if (/^\/(var\/)?tmp\/./.test(part) && !/\/grith-(sh|host)-/.test(part)) out.push(part);
  }
  return out;
}

export function sandboxLayout(i: SandboxLayoutInput): SandboxLayout {
  const endpoints: SandboxBind[] = [];
  const inside = (name: string) => `${INSIDE}/${name}`;
  // The session id in the socket's name keeps the marker every process carries (GRITH_EXEC_SOCK=…) unique.
  const execSock = insideExecSock(i.grant.session);
  endpoints.push({ src: i.grant.execSock, dst: execSock, rw: false });
  const supervised = i.grant.launch !== undefined && i.grant.approvalsSock !== undefined;
  const approvals = insideApprovalsSock(i.grant.session);
  if (supervised) endpoints.push({ src: i.grant.approvalsSock!, dst: approvals, rw: false });
  let proxy = i.grant.proxy;
  if (proxy) {
    endpoints.push({ src: proxy.caCert, dst: inside('ca.crt'), rw: false }, { src: proxy.caBundle, dst: inside('ca-bundle.pem'), rw: false });
    proxy = { ...proxy, caCert: inside('ca.crt'), caBundle: inside('ca-bundle.pem') };
  }
  const home = i.env.HOME;
  const direct = (i.direct ?? []).map((p) => ({ src: p, dst: p, rw: true }));
  const rebinds = tmpRebinds([packageRoot(), dirname(i.grant.execLib), ...(i.grant.launch ? [i.grant.launch] : []), process.execPath, i.cwd, ...(i.keep ?? []), ...pathsNamedBy(i.env)]).filter(
    (b) => ![...i.views, ...direct].some((v) => b.src === v.dst || b.src.startsWith(v.dst + '/')),
  );
  const args = bwrapArgs({
    binds: [...i.views, ...direct, ...endpoints, ...rebinds],
    hide: [i.grithHome, ...(home ? [join(home, '.grith')] : [])],
    cwd: i.cwd,
    // Its existence is the mark (read-only, so nothing inside can take it away).
    marker: '/dev/null',
    supervised,
  });
  const launch = supervised ? [i.grant.launch!, '--exec-sock', execSock, '--approvals-sock', approvals, '--'] : [];
  return {
    grant: { ...i.grant, execSock, ...(proxy ? { proxy } : {}) },
    start(file, a, built) {
      const env = { ...built };
      delete env.GRITH_HOME;
      const preload = env.LD_PRELOAD;
      delete env.LD_PRELOAD;
      const setenv = preload ? ['--setenv', 'LD_PRELOAD', preload] : [];
      return { file: i.bwrap, args: [...args, ...setenv, '--', ...launch, file, ...a], env };
    },
  };
}
