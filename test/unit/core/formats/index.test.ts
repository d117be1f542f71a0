// The catalogue: ids, lookup errors and the cores handed to the matcher.
import { describe, expect, it } from 'vitest';
import { FORMATS, coresOf, formatIds, getFormat } from '../../../../src/core/formats/index.js';
import { UnknownFormatError } from '../../../../src/core/errors.js';

const IDS = [
  'aws',
  'github-pat',
  'github-fine-grained',
  'gitlab-pat',
  'slack-bot',
  'stripe-live',
  'openai-project',
  'anthropic',
  'npm',
  'jwt',
  'ssh-ed25519',
  'database-url',
  'generic',
];

describe('formats index', () => {
  it('lists the formats in a stable order with unique ids and titles', () => {
    expect(formatIds()).toEqual(IDS);
    expect(new Set(FORMATS.map((f) => f.title)).size).toBe(IDS.length);
    for (const id of IDS) expect(getFormat(id).id).toBe(id);
  });

  it('getFormat throws UnknownFormatError naming the known ids', () => {
    let err: unknown;
    try {
      getFormat('github');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownFormatError);
    expect((err as UnknownFormatError).code).toBe('UNKNOWN_FORMAT');
    expect((err as UnknownFormatError).message).toContain('"github"');
    for (const id of IDS) expect((err as UnknownFormatError).hint).toContain(id);
  });

  it('coresOf(aws) gives the secret and the 16 random characters of the key id', () => {
    const aws = getFormat('aws');
    const t = aws.generate();
    expect(coresOf(aws, t)).toEqual([t.value, t.companions!.accessKeyId!.slice(4)]);
  });

  it('coresOf(database-url) gives the password once, not twice', () => {
    const db = getFormat('database-url');
    const t = db.generate();
    expect(coresOf(db, t)).toEqual([t.companions!.password]);
  });

  it('coresOf(jwt) gives the signature and the signing key', () => {
    const jwt = getFormat('jwt');
    const t = jwt.generate();
    expect(coresOf(jwt, t)).toEqual([t.value.split('.')[2], t.companions!.signingKey]);
  });

  it('coresOf refuses a companion that does not fit the format', () => {
    const aws = getFormat('aws');
    const t = aws.generate();
    expect(() => coresOf(aws, { ...t, companions: { accessKeyId: 'short' } })).toThrow(/AWS access key pair/);
  });
});
