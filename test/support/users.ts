// A non-root user for tests that must run the way users run grith (created once, as root; null when not root:
// the tests then already run as an ordinary user).
import { spawnSync } from 'node:child_process';
import { chownSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
}

export function testUser(name = 'grith-tester'): TestUser | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const r = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/bin/bash', name], { encoding: 'utf8' });
    if (r.status !== 0 && id('-u').status !== 0) throw new Error(`useradd ${name} failed: ${r.stderr}`);
  }
  return { name, uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** Give a folder tree the test made to the user. */
export function chownTree(dir: string, u: TestUser): void {
  chownSync(dir, u.uid, u.gid);
  if (!statSync(dir).isDirectory()) return;
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) chownTree(p, u);
    else chownSync(p, u.uid, u.gid);
  }
}
