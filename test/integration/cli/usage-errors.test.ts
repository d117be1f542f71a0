// Usage errors a new user meets: each names the flag or argument, what was wrong and the expected form, on one line
// (or as a JSON error object), exit 2; `grith help` works and an unknown command is one line, exit 2.
import { describe, expect, it } from 'vitest';
import { grith, tempHome, type CliResult } from '../../support/cli.js';

function oneLine(r: CliResult, re: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(re);
}

function jsonError(r: CliResult): Record<string, string> {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toBe('');
  return (JSON.parse(r.stdout) as { error: Record<string, string> }).error;
}

describe('flag and argument errors', () => {
  it('regression: a missing required flag was "The following error occurred:"', async () => {
    const home = await tempHome();
    const r = await grith(['canary', 'add'], { home });
    oneLine(r, /^grith: missing required flag --format; expected --format FORMAT: token format id .*\(see grith canary add --help\)$/);
    expect(jsonError(await grith(['canary', 'add', '--json'], { home }))).toMatchObject({
      code: 'USAGE',
      flag: 'format',
      expected: '--format FORMAT',
      hint: 'see grith canary add --help',
    });
  });

  it('regression: an out-of-range --port was cut to "Parsing --port "', async () => {
    const home = await tempHome();
    oneLine(
      await grith(['proxy', '--port', '99999'], { home }),
      /^grith: invalid --port "99999": not an integer less than or equal to 65535; expected --port N \(0 to 65535\)/,
    );
    oneLine(await grith(['proxy', '--port', 'abc'], { home }), /^grith: invalid --port "abc": not an integer; expected --port N/);
    const e = jsonError(await grith(['proxy', '--port', '99999', '--json'], { home }));
    expect(e).toMatchObject({ code: 'USAGE', flag: 'port', expected: '--port N (0 to 65535)' });
    expect(e.message).toContain('99999');
  });

  it('a value outside the options, a flag without its value, an unknown flag, a flag needing another', async () => {
    const home = await tempHome();
    oneLine(await grith(['mount', 'a', 'b', '--zone-policy', 'maybe'], { home }), /^grith: invalid --zone-policy "maybe": not one of alert, deny; expected --zone-policy alert\|deny/);
    oneLine(await grith(['canary', 'add', '--format'], { home }), /^grith: --format needs a value; expected --format FORMAT/);
    oneLine(await grith(['canary', 'add', '--format', 'aws', '--bogus'], { home }), /^grith: unknown flag --bogus; known flags: .*--label/);
    oneLine(await grith(['shell', '--zone', 'src', '-c', 'true'], { home }), /^grith: --zone needs --mount too/);
    oneLine(await grith(['alerts', 'add-webhook', 'http://127.0.0.1:1/', '--secret', 'a', '--secret-env', 'B'], { home }), /cannot be used together with/);
  });

  it('a missing or extra argument names it and shows the expected form', async () => {
    const home = await tempHome();
    oneLine(await grith(['canary', 'show'], { home }), /^grith: missing argument ID: canary id .*; expected grith canary show ID/);
    expect(jsonError(await grith(['canary', 'show', '--json'], { home }))).toMatchObject({ code: 'USAGE', arg: 'id', expected: 'grith canary show ID' });
    oneLine(await grith(['canary', 'show', 'abcd', 'efgh'], { home }), /^grith: unexpected argument efgh/);
  });
});

describe('grith help and unknown commands', () => {
  it('grith help lists the commands; grith help COMMAND shows that command', async () => {
    const home = await tempHome();
    const all = await grith(['help'], { home });
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/doctor/);
    expect(all.stdout).toMatch(/canary/);
    const one = await grith(['help', 'canary', 'add'], { home });
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain('--format');
    expect(one.stdout).toContain('EXAMPLES');
    const json = JSON.parse((await grith(['help', 'doctor', '--json'], { home })).stdout);
    expect(json).toMatchObject({ command: 'grith doctor' });
    expect(json.flags.map((f: { name: string }) => f.name)).toContain('fix');
  });

  it('help for an unknown command and an unknown command: one line, exit 2, --json honoured', async () => {
    const home = await tempHome();
    oneLine(await grith(['help', 'nope'], { home }), /^grith: unknown command "nope"/);
    oneLine(await grith(['nope'], { home }), /^grith: unknown command "nope" \(see grith help for the commands\)$/);
    oneLine(await grith(['canary', 'remve', 'x'], { home }), /^grith: unknown command "canary remve" \(did you mean grith canary remove\?/);
    expect(jsonError(await grith(['nope', '--json'], { home }))).toMatchObject({ code: 'UNKNOWN_COMMAND', message: 'unknown command "nope"' });
  });
});
