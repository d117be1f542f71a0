// The shell host's addressing and framing: short stable socket paths per home and build, line framing, and the
// private-folder check that keeps a planted fake host from being trusted.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostPaths, lineReader, privateDir } from '../../../../../src/session/shell/host/protocol.js';

describe('shell host protocol', () => {
  it('gives each home and build its own short socket path', () => {
    const a = hostPaths('/home/u/.grith', '1');
    expect(hostPaths('/home/u/.grith', '1')).toEqual(a);
    expect(hostPaths('/home/u/.grith', '2').sock).not.toBe(a.sock);
    expect(hostPaths('/tmp/other', '1').sock).not.toBe(a.sock);
    expect(Buffer.byteLength(hostPaths('/x'.repeat(400), '1').sock)).toBeLessThan(108);
  });

  it('frames messages by line, across chunk boundaries', () => {
    const got: unknown[] = [];
    const feed = lineReader((m) => got.push(m));
    feed('{"op":"a"}\n{"op"');
    feed(':"b"}\n\nnot json\n');
    expect(got).toEqual([{ op: 'a' }, { op: 'b' }, null]);
  });

  it('trusts only a folder closed to others', () => {
    const d = mkdtempSync(join(tmpdir(), 'grith-priv-'));
    try {
      chmodSync(d, 0o700);
      expect(privateDir(d)).toBe(true);
      chmodSync(d, 0o755);
      expect(privateDir(d)).toBe(false);
      expect(privateDir(join(d, 'missing'))).toBe(false);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
