// Stripe live secret key: sk_live_51 + 97 alnum (107 characters, the length Stripe issues today).
// "51" is the constant head of current keys; core = the 97 characters after it (577 bits).
import type { GeneratedToken } from './types.js';
import { type FormatDef, coreFromShape } from './format-def.js';
import { BASE62, randomString } from './random.js';
import { appEnvHead, envFile, org } from './decoy-text.js';

const SHAPE = /^sk_live_51([0-9A-Za-z]{97})$/;

export const stripeLive: FormatDef = {
  id: 'stripe-live',
  title: 'Stripe live secret key',
  // gitleaks stripe-access-token
  pattern: /\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})(?:[\x60'"\s;]|\\[nr]|$)/,
  generate(): GeneratedToken {
    return { value: `sk_live_51${randomString(BASE62, 97)}` };
  },
  validate(value: string): boolean {
    return SHAPE.test(value);
  },
  core(value: string): string {
    return coreFromShape(SHAPE, value, stripeLive);
  },
  decoy(token: GeneratedToken) {
    const o = org();
    const content = envFile([
      ...appEnvHead(),
      ['APP_URL', `https://app.${o.domain}`],
      '',
      '# Stripe (live)',
      // Publishable keys are public by design; a random one is a harmless, realistic neighbour.
      ['STRIPE_PUBLISHABLE_KEY', `pk_live_51${randomString(BASE62, 97)}`],
      ['STRIPE_SECRET_KEY', token.value],
      ['STRIPE_API_VERSION', '2024-06-20'],
    ]);
    return { defaultName: '.env', content, mode: 0o600 };
  },
};
