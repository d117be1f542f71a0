// The unprivileged user the agents run as. Users run grith and their agents as themselves, not root (and Claude Code
// refuses some modes as root), so when the tests run as root they create one system user for it (no home of its own:
// every run gets a private HOME) and make FUSE usable for it; otherwise the agents run as the current user.
import { execFile } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { chown, readdir, lstat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const AGENT_USER = 'grith-agent';

export interface AgentUser {
  name: string;
  uid: number;
  gid: number;
  /** Whether spawn must switch to uid/gid (the tests run as root). */
  switch: boolean;
}

async function ids(name: string): Promise<{ uid: number; gid: number } | null> {
  try {
    const [u, g] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
  } catch {
    return null;
  }
}

export async function agentUser(): Promise<AgentUser> {
  if (process.getuid?.() !== 0) return { name: process.env.USER ?? 'me', uid: process.getuid!(), gid: process.getgid!(), switch: false };
  let found = await ids(AGENT_USER);
  // Parallel test files may race here: useradd locks /etc/passwd itself, so retry until the user exists.
  for (let i = 0; !found && i < 20; i++) {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/bash', AGENT_USER]).catch(() => undefined);
    found = await ids(AGENT_USER);
    if (!found) await sleep(200);
  }
  if (!found) throw new Error(`cannot create the test user ${AGENT_USER} (useradd failed)`);
  ensureFuseDevice();
  return { name: AGENT_USER, ...found, switch: true };
}

/**
 * Debian's udev rule makes /dev/fuse 0666 (fusermount3 is setuid; the device is safe for everyone). Machines without
 * udev (containers, this VM) leave it 0600 root, and grith refuses to mount for a user who cannot open it.
 */
function ensureFuseDevice(): void {
  const dev = '/dev/fuse';
  try {
    if ((statSync(dev).mode & 0o006) !== 0o006) chmodSync(dev, 0o666);
  } catch {
    /* no FUSE at all: grith says so itself */
  }
}

/** Give a tree to the agent user (the test creates folders as root). */
export async function chownTree(root: string, u: AgentUser): Promise<void> {
  if (!u.switch) return;
  const walk = async (p: string): Promise<void> => {
    const st = await lstat(p);
    await chown(p, u.uid, u.gid).catch(() => undefined);
    if (st.isDirectory()) for (const e of await readdir(p)) await walk(path.join(p, e));
  };
  await walk(root);
}
