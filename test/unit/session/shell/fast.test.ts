// The lean `-c` entry accepts exactly what it can run, and hands everything else to the full command.
import { describe, expect, it } from 'vitest';
import { parseFastArgs } from '../../../../src/session/shell/fast.js';

describe('parseFastArgs', () => {
  it('takes -c CMD with positional parameters', () => {
    expect(parseFastArgs(['-c', 'echo $0', 'a', 'b'])).toEqual({ command: 'echo $0', shellFlags: [], positional: ['a', 'b'], proxy: true, mount: undefined, sandbox: true });
    expect(parseFastArgs(['--no-sandbox', '-c', 'x'])?.sandbox).toBe(false);
    expect(parseFastArgs(['--mount', 'src', '-c', 'x'])?.mount).toEqual({ source: 'src' });
  });
  it('takes bash clusters and options before -c', () => {
    expect(parseFastArgs(['--no-proxy', '-l', '-ec', 'x'])).toMatchObject({ command: 'x', shellFlags: ['-l', '-e'], proxy: false });
    expect(parseFastArgs(['--mount', 'a:b', '-c', 'x'])?.mount).toEqual({ source: 'a', target: 'b' });
  });
  it('leaves everything else to oclif', () => {
    expect(parseFastArgs([])).toBeNull();
    expect(parseFastArgs(['--help'])).toBeNull();
    expect(parseFastArgs(['--json', '-c', 'x'])).toBeNull();
    expect(parseFastArgs(['--', 'claude'])).toBeNull();
    expect(parseFastArgs(['-c'])).toBeNull();
  });
});
