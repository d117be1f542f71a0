// Test data for the format tests: gitleaks' public rules (copied from gitleaks' default config, adapted to JS:
// (?i) becomes the i flag) and, per format, where its randomness lies and over which alphabet.
import type { GeneratedToken } from '../../../../src/core/formats/types.js';

/** A gitleaks rule and what it is applied to: the value, a companion, or a line of the decoy file. */
export interface RuleCheck {
  rule: string;
  re: RegExp;
  /** 'value' | `companion:NAME` | `decoy-line:PREFIX` (the decoy line starting with PREFIX). */
  on: string;
  /** gitleaks' entropy threshold for the rule, when it has one (Shannon, bits per character of the match). */
  entropy?: number;
}

export interface RandomPart {
  text: string;
  alphabet: string;
}

export interface FormatCase {
  id: string;
  rules: RuleCheck[];
  /** The random characters of a token (without prefixes, fixed infixes, checksums or derived parts). */
  random(t: GeneratedToken): RandomPart[];
  /** The real format carries a checksum / self-consistency that a one-character change must break. */
  checksum?: { region(value: string): [number, number]; alphabet: string };
  minBits: number;
  /** Fixed text every value carries, which must stay out of the core. */
  fixed?: string;
  decoyName: string;
  companions: string[];
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';

const TAIL = String.raw`(?:[\x60'"\s;]|\\[nr]|$)`;
export const GITLEAKS = {
  'aws-access-token': /\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b/,
  'github-pat': /ghp_[0-9a-zA-Z]{36}/,
  'github-fine-grained-pat': /github_pat_\w{82}/,
  'gitlab-pat': /glpat-[\w-]{20}/,
  'slack-bot-token': /xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*/,
  'stripe-access-token': new RegExp(String.raw`\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})` + TAIL),
  'openai-api-key': new RegExp(
    String.raw`\b(sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})` +
      TAIL,
  ),
  'anthropic-api-key': new RegExp(String.raw`\b(sk-ant-api03-[a-zA-Z0-9_\-]{93}AA)` + TAIL),
  'npm-access-token': new RegExp(String.raw`\b(npm_[a-z0-9]{36})` + TAIL, 'i'),
  jwt: new RegExp(String.raw`\b(ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9\/\\_-]{17,}\.(?:[a-zA-Z0-9\/\\_-]{10,}={0,2})?)` + TAIL),
  'private-key': /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----/i,
  // (?-i:[Aa]pi|API) cannot be expressed in a JS regex with the i flag; `api` in any case is a slight superset.
  'generic-api-key': new RegExp(
    String.raw`[\w.-]{0,50}?(?:access|auth|api|credential|creds|key|passw(?:or)?d|secret|token)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}([\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})` +
      TAIL,
    'i',
  ),
} as const;

function after(value: string, prefix: string, len: number): string {
  if (!value.startsWith(prefix)) throw new Error(`expected prefix ${prefix}`);
  return value.slice(prefix.length, prefix.length + len);
}

export const CASES: FormatCase[] = [
  {
    id: 'aws',
    rules: [
      { rule: 'aws-access-token', re: GITLEAKS['aws-access-token'], on: 'companion:accessKeyId', entropy: 3 },
      { rule: 'aws-access-token', re: GITLEAKS['aws-access-token'], on: 'decoy-line:aws_access_key_id', entropy: 3 },
    ],
    random: (t) => [
      { text: t.value, alphabet: B64 },
      { text: after(t.companions!.accessKeyId!, 'AKIA', 16), alphabet: B32 },
    ],
    minBits: 128,
    decoyName: '.aws/credentials',
    companions: ['accessKeyId'],
  },
  {
    id: 'github-pat',
    rules: [{ rule: 'github-pat', re: GITLEAKS['github-pat'], on: 'value', entropy: 3 }],
    random: (t) => [{ text: after(t.value, 'ghp_', 30), alphabet: B62 }],
    checksum: { region: () => [4, 40], alphabet: B62 },
    fixed: 'ghp_',
    minBits: 128,
    decoyName: '.git-credentials',
    companions: [],
  },
  {
    id: 'github-fine-grained',
    rules: [{ rule: 'github-fine-grained-pat', re: GITLEAKS['github-fine-grained-pat'], on: 'value', entropy: 3 }],
    random: (t) => [
      { text: after(t.value, 'github_pat_11', 20), alphabet: B62 },
      { text: t.value.slice(-59), alphabet: B62 },
    ],
    fixed: 'github_pat_',
    minBits: 128,
    decoyName: '.config/gh/hosts.yml',
    companions: [],
  },
  {
    id: 'gitlab-pat',
    rules: [{ rule: 'gitlab-pat', re: GITLEAKS['gitlab-pat'], on: 'value', entropy: 3 }],
    random: (t) => [{ text: after(t.value, 'glpat-', 20), alphabet: B64URL }],
    // The real classic format is urlsafe_base64(15 random bytes): 120 bits by construction (see gitlab-pat.ts).
    fixed: 'glpat-',
    minBits: 120,
    decoyName: '.python-gitlab.cfg',
    companions: [],
  },
  {
    id: 'slack-bot',
    rules: [{ rule: 'slack-bot-token', re: GITLEAKS['slack-bot-token'], on: 'value', entropy: 3 }],
    random: (t) => [{ text: t.value.slice(-24), alphabet: B62 }],
    fixed: 'xoxb-',
    minBits: 128,
    decoyName: '.env',
    companions: [],
  },
  {
    id: 'stripe-live',
    rules: [
      { rule: 'stripe-access-token', re: GITLEAKS['stripe-access-token'], on: 'value', entropy: 2 },
      { rule: 'stripe-access-token', re: GITLEAKS['stripe-access-token'], on: 'decoy-line:STRIPE_SECRET_KEY', entropy: 2 },
    ],
    random: (t) => [{ text: after(t.value, 'sk_live_51', 97), alphabet: B62 }],
    fixed: 'sk_live_',
    minBits: 128,
    decoyName: '.env',
    companions: [],
  },
  {
    id: 'openai-project',
    rules: [
      { rule: 'openai-api-key', re: GITLEAKS['openai-api-key'], on: 'value', entropy: 3 },
      { rule: 'openai-api-key', re: GITLEAKS['openai-api-key'], on: 'decoy-line:OPENAI_API_KEY', entropy: 3 },
    ],
    random: (t) => [
      { text: after(t.value, 'sk-proj-', 74), alphabet: B64URL },
      { text: t.value.slice(-74, -1), alphabet: B64URL },
    ],
    fixed: 'sk-proj-',
    minBits: 128,
    decoyName: '.env',
    companions: [],
  },
  {
    id: 'anthropic',
    rules: [
      { rule: 'anthropic-api-key', re: GITLEAKS['anthropic-api-key'], on: 'value' },
      { rule: 'anthropic-api-key', re: GITLEAKS['anthropic-api-key'], on: 'decoy-line:ANTHROPIC_API_KEY' },
    ],
    random: (t) => [{ text: after(t.value, 'sk-ant-api03-', 93), alphabet: B64URL }],
    fixed: 'sk-ant-api03-',
    minBits: 128,
    decoyName: '.env',
    companions: [],
  },
  {
    id: 'npm',
    rules: [
      { rule: 'npm-access-token', re: GITLEAKS['npm-access-token'], on: 'value', entropy: 2 },
      { rule: 'npm-access-token', re: GITLEAKS['npm-access-token'], on: 'decoy-line://registry.npmjs.org/', entropy: 2 },
    ],
    random: (t) => [{ text: after(t.value, 'npm_', 30), alphabet: B62 }],
    checksum: { region: () => [4, 40], alphabet: B62 },
    fixed: 'npm_',
    minBits: 128,
    decoyName: '.npmrc',
    companions: [],
  },
  {
    id: 'jwt',
    rules: [
      { rule: 'jwt', re: GITLEAKS.jwt, on: 'value', entropy: 3 },
      { rule: 'jwt', re: GITLEAKS.jwt, on: 'decoy-line:SERVICE_TOKEN', entropy: 3 },
      { rule: 'generic-api-key', re: GITLEAKS['generic-api-key'], on: 'decoy-line:JWT_SECRET', entropy: 3.5 },
    ],
    // The signature is keyed by this secret; the token's unpredictability is the key's.
    random: (t) => [{ text: t.companions!.signingKey!, alphabet: HEX }],
    fixed: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
    minBits: 128,
    decoyName: '.env',
    companions: ['signingKey'],
  },
  {
    id: 'ssh-ed25519',
    rules: [{ rule: 'private-key', re: GITLEAKS['private-key'], on: 'value' }],
    random: (t) => {
      // Bytes 161..192 of the decoded body are the seed; base64 groups 54..63 encode seed bytes only.
      const b64 = t.value.split('\n').slice(1, -1).join('');
      return [{ text: b64.slice(216, 256), alphabet: B64 }];
    },
    checksum: {
      // The fourth line holds the seed; changing it breaks the seed -> public key consistency.
      region: (v) => {
        const start = v.split('\n').slice(0, 4).reduce((n, line) => n + line.length + 1, 0);
        return [start + 6, start + 46];
      },
      alphabet: B64,
    },
    fixed: '-----BEGIN',
    minBits: 128,
    decoyName: '.ssh/id_ed25519',
    companions: [],
  },
  {
    id: 'database-url',
    rules: [],
    random: (t) => [{ text: t.companions!.password!, alphabet: B62 }],
    fixed: 'postgres',
    minBits: 128,
    decoyName: '.env',
    companions: ['password'],
  },
  {
    id: 'generic',
    rules: [{ rule: 'generic-api-key', re: GITLEAKS['generic-api-key'], on: 'decoy-line:API_SECRET', entropy: 3.5 }],
    random: (t) => [{ text: t.value, alphabet: B62 }],
    minBits: 128,
    decoyName: '.env',
    companions: [],
  },
];

/** Shannon entropy in bits per character, as gitleaks computes it. */
export function shannon(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}
