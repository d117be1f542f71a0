// AWS access key pair: value = the 40-character secret access key, companion accessKeyId = AKIA + 16 base32.
// The secret is random throughout, so it is its own core; the key id's core is the 16 characters after AKIA.
import type { GeneratedToken } from './types.js';
import { type FormatDef, notThisFormat } from './format-def.js';
import { BASE32, BASE64, pick, randomDigits, randomString, shannon } from './random.js';
import { org } from './decoy-text.js';

const SECRET = /^[A-Za-z0-9/+]{40}$/;
const KEY_ID = /^AKIA([A-Z2-7]{16})$/;
const GITLEAKS_MIN_ENTROPY = 3;

export const aws: FormatDef = {
  id: 'aws',
  title: 'AWS access key pair',
  // gitleaks has no rule for the secret alone (only aws-access-token for the AKIA id); this is its public shape.
  pattern: /[A-Za-z0-9/+]{40}/,
  generate(): GeneratedToken {
    // 240 bits; base64 of 30 random bytes is exactly 40 characters of the real alphabet.
    const value = randomString(BASE64, 40);
    // gitleaks' aws-access-token rule skips ids under 3 bits of entropy per character (about 1 draw in 60): a
    // decoy every scanner would call a key must not be one of those.
    let accessKeyId: string;
    do accessKeyId = `AKIA${randomString(BASE32, 16)}`;
    while (shannon(accessKeyId) <= GITLEAKS_MIN_ENTROPY);
    return { value, companions: { accessKeyId } };
  },
  validate(value: string): boolean {
    return SECRET.test(value);
  },
  core(value: string): string {
    if (!SECRET.test(value)) throw notThisFormat(aws);
    return value;
  },
  companionCore(name: string, value: string): string {
    const m = KEY_ID.exec(value);
    if (name !== 'accessKeyId' || !m) throw notThisFormat(aws, `companion ${name}`);
    return m[1]!;
  },
  decoy(token: GeneratedToken) {
    const keyId = token.companions?.accessKeyId;
    if (!keyId) throw notThisFormat(aws, 'token without accessKeyId');
    const region = pick(['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1']);
    const account = randomDigits(12);
    const role = pick(['deploy', 'terraform', 'ReadOnlyAccess', 'ci-release']);
    const content = [
      '[default]',
      `aws_access_key_id = ${keyId}`,
      `aws_secret_access_key = ${token.value}`,
      `region = ${region}`,
      '',
      `[${pick(['prod', 'deploy', org().name])}]`,
      `role_arn = arn:aws:iam::${account}:role/${role}`,
      'source_profile = default',
      `region = ${region}`,
      '',
    ].join('\n');
    return { defaultName: '.aws/credentials', content, mode: 0o600 };
  },
};
