// Table-driven checks over every format: public patterns, checksums, randomness, cores and decoy files.
import { describe, expect, it } from 'vitest';
import { FORMATS, coresOf, getFormat } from '../../../../src/core/formats/index.js';
import type { GeneratedToken, TokenFormat } from '../../../../src/core/formats/types.js';
import { CASES, shannon, type RuleCheck } from './cases.js';

const LABEL = 'grith-canary-label-7f3a';

function subject(check: RuleCheck, t: GeneratedToken, decoy: string): string {
  if (check.on === 'value') return t.value;
  if (check.on.startsWith('companion:')) return t.companions![check.on.slice('companion:'.length)]!;
  const prefix = check.on.slice('decoy-line:'.length);
  const line = decoy.split('\n').find((l) => l.startsWith(prefix));
  if (!line) throw new Error(`decoy has no line starting with ${prefix}`);
  return line;
}

function mutate(value: string, at: number, alphabet: string): string {
  const old = value[at]!;
  const replacement = alphabet[(alphabet.indexOf(old) + 1 + (at % (alphabet.length - 1))) % alphabet.length]!;
  expect(replacement).not.toBe(old);
  return value.slice(0, at) + replacement + value.slice(at + 1);
}

it('the table covers exactly the registered formats, in order', () => {
  expect(CASES.map((c) => c.id)).toEqual(FORMATS.map((f) => f.id));
});

// Regression: about one AWS key id in 60 fell under gitleaks' entropy threshold (a flaky test, and a decoy a
// secret scanner would not call a key).
it('every AWS key id clears gitleaks\' entropy threshold', () => {
  const aws = getFormat('aws');
  for (let i = 0; i < 2000; i++) expect(shannon(aws.generate().companions!.accessKeyId!)).toBeGreaterThan(3);
});

describe.each(CASES)('$id', (c) => {
  const format: TokenFormat = getFormat(c.id);
  const tokens = Array.from({ length: 200 }, () => format.generate());

  it('matches the format pattern and the gitleaks rules (with their entropy thresholds)', () => {
    for (const t of tokens.slice(0, 25)) {
      const decoy = format.decoy(t, LABEL).content;
      expect(format.pattern.test(t.value)).toBe(true);
      for (const check of c.rules) {
        const m = check.re.exec(subject(check, t, decoy));
        expect(m, `${check.rule} on ${check.on}`).not.toBeNull();
        const secret = m![1] ?? m![0];
        if (check.entropy !== undefined) expect(shannon(secret)).toBeGreaterThan(check.entropy);
      }
    }
  });

  it('validates what it generates and rejects foreign text', () => {
    for (const t of tokens) expect(format.validate(t.value)).toBe(true);
    expect(format.validate('')).toBe(false);
    expect(format.validate('not a token at all, definitely not')).toBe(false);
    expect(format.validate(tokens[0]!.value.slice(1))).toBe(false);
  });

  const checksum = c.checksum;
  if (checksum) {
    it('rejects every one-character change inside the checksummed region', () => {
      for (const t of tokens.slice(0, 5)) {
        const [from, to] = checksum.region(t.value);
        expect(to - from).toBeGreaterThanOrEqual(30);
        for (let at = from; at < to; at++) {
          expect(format.validate(mutate(t.value, at, checksum.alphabet)), `position ${at}`).toBe(false);
        }
      }
    });
  }

  it(`carries at least ${c.minBits} random bits drawn from its alphabet`, () => {
    for (const t of tokens) {
      const parts = c.random(t);
      let bits = 0;
      for (const p of parts) {
        for (const ch of p.text) expect(p.alphabet).toContain(ch);
        bits += p.text.length * Math.log2(p.alphabet.length);
      }
      expect(bits).toBeGreaterThanOrEqual(c.minBits);
    }
  });

  it('gives 200 distinct values and 200 distinct sets of cores', () => {
    expect(new Set(tokens.map((t) => t.value)).size).toBe(200);
    const cores = tokens.flatMap((t) => coresOf(format, t));
    expect(new Set(cores).size).toBe(cores.length);
  });

  it('has cores of 16+ characters, each inside the value or a companion, free of the provider prefix', () => {
    for (const t of tokens) {
      const core = format.core(t.value);
      expect(core.length).toBeGreaterThanOrEqual(16);
      expect(t.value).toContain(core);
      if (c.fixed) expect(core).not.toContain(c.fixed);
      const secrets = [t.value, ...Object.values(t.companions ?? {})];
      for (const k of coresOf(format, t)) {
        expect(k.length).toBeGreaterThanOrEqual(16);
        expect(secrets.some((s) => s.includes(k))).toBe(true);
      }
    }
  });

  it('refuses to derive a core from foreign text without echoing it', () => {
    const foreign = 'Z9q-this-is-not-a-token-Z9q';
    let err: unknown;
    try {
      format.core(foreign);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect(String((err as Error).message) + String((err as { hint?: string }).hint)).not.toContain(foreign);
  });

  it(`writes a plausible ${c.decoyName} with the value, the companions and mode 0600, and no label`, () => {
    for (const t of tokens.slice(0, 25)) {
      const d = format.decoy(t, LABEL);
      expect(d.defaultName).toBe(c.decoyName);
      expect(d.mode).toBe(0o600);
      expect(d.content).toContain(t.value);
      expect(Object.keys(t.companions ?? {}).sort()).toEqual([...c.companions].sort());
      for (const v of Object.values(t.companions ?? {})) expect(d.content).toContain(v);
      expect(d.content).not.toContain(LABEL);
      expect(d.content.endsWith('\n')).toBe(true);
      // Neighbours: a credential alone in a file looks planted.
      if (c.id !== 'ssh-ed25519' && c.id !== 'github-pat') {
        expect(d.content.split('\n').filter((l) => l.trim() !== '').length).toBeGreaterThanOrEqual(4);
      }
      if (d.defaultName === '.env') {
        for (const line of d.content.split('\n')) {
          if (line === '' || line.startsWith('#')) continue;
          expect(line).toMatch(/^[A-Z][A-Z0-9_]*=\S+$/);
        }
      }
    }
  });
});
