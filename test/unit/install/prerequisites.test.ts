// Build prerequisites and the hint a missing native part gives: the tools that are absent, the apt-get line that
// provides them, and `grith doctor --fix`.
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aptLineForPrograms, buildHint, missingBuildTools, onPath } from '../../../src/install/prerequisites.js';

let bin: string;
beforeAll(async () => {
  bin = await mkdtemp(path.join(os.tmpdir(), 'grith-prereq-'));
  await symlink(process.execPath, path.join(bin, 'node'));
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
});

const sudo = process.getuid?.() === 0 ? '' : 'sudo ';

describe('build prerequisites', () => {
  it('finds programs on PATH only', () => {
    expect(onPath('node', { PATH: bin })).toBe(path.join(bin, 'node'));
    expect(onPath('cc', { PATH: bin })).toBeNull();
    expect(onPath(process.execPath, { PATH: '' })).toBe(process.execPath);
  });

  it('names what each native part needs, honouring CC and CXX', () => {
    expect(missingBuildTools('execguard', { PATH: bin })).toEqual(['cc']);
    expect(missingBuildTools('fuse', { PATH: bin })).toEqual(['patch', 'cc', 'g++', 'make', 'python3']);
    expect(missingBuildTools('pty', { PATH: bin, CC: 'node', CXX: 'node' })).toEqual(['make', 'python3']);
  });

  it('the hint installs the missing tools with one apt-get line, then builds in place', () => {
    expect(buildHint('execguard', bin, { PATH: bin })).toBe(
      `install cc (${sudo}apt-get install -y gcc), then build it in place with: grith doctor --fix`,
    );
    expect(buildHint('fuse', bin, { PATH: bin })).toContain(`${sudo}apt-get install -y patch gcc g++ make python3)`);
    expect(buildHint('execguard', bin, { PATH: `${bin}:${path.dirname(onPath('cc') ?? '/usr/bin/cc')}` })).toBe(
      'build it in place with: grith doctor --fix',
    );
  });

  it('maps programs to Debian packages, once each', () => {
    expect(aptLineForPrograms(['bwrap', 'fusermount3', 'od', 'tr', 'curl'])).toBe(`${sudo}apt-get install -y bubblewrap fuse3 coreutils curl`);
  });
});
