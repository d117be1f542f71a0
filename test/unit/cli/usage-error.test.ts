// oclif's parse messages turned into one line naming the flag, the problem and the expected form.
import { describe, expect, it } from 'vitest';
import { flagForm, usagePayload } from '../../../src/cli/usage-error.js';

const spec = {
  command: 'proxy',
  flags: {
    port: { type: 'option', description: 'port on 127.0.0.1', min: 0, max: 65535 },
    mount: { type: 'option', helpValue: 'SRC:DST' },
    policy: { type: 'option', options: ['alert', 'deny'] },
    json: { type: 'boolean' },
  },
  args: { id: { description: 'canary id' } },
};

describe('usagePayload', () => {
  it('keeps every line of a multi-line message, not just the preamble', () => {
    const p = usagePayload('The following errors occurred:\n  Something odd\n  And another\nSee more help with --help', spec);
    expect(p).toEqual({ code: 'USAGE', message: 'Something odd; And another', hint: 'see grith proxy --help' });
  });
  it('a parse failure names the flag, the value and the expected form', () => {
    const p = usagePayload('Parsing --port \n\tExpected an integer but received: x\nSee more help with --help', spec);
    expect(p).toMatchObject({ flag: 'port', expected: '--port N (0 to 65535)' });
    expect(p.message).toBe('invalid --port "x": not an integer; expected --port N (0 to 65535): port on 127.0.0.1');
  });
});

describe('flagForm', () => {
  it('shows booleans bare, options as alternatives, help values and ranges', () => {
    expect(flagForm('json', spec.flags.json)).toBe('--json');
    expect(flagForm('policy', spec.flags.policy)).toBe('--policy alert|deny');
    expect(flagForm('mount', spec.flags.mount)).toBe('--mount SRC:DST');
    expect(flagForm('upstream-ca', { type: 'option' })).toBe('--upstream-ca UPSTREAM_CA');
    expect(flagForm('limit', { type: 'option', min: 1 })).toBe('--limit N (at least 1)');
  });
});
