// Slack bot token: xoxb-<team digits>-<bot digits>-<24 alnum>. The digit groups are ids in real tokens; the
// 24-character tail is the secret, so it is the core (142 bits).
import type { GeneratedToken } from './types.js';
import { type FormatDef, coreFromShape } from './format-def.js';
import { BASE62, pick, randomDigits, randomString } from './random.js';
import { appEnvHead, envFile } from './decoy-text.js';

const SHAPE = /^xoxb-[0-9]{10,13}-[0-9]{10,13}-([0-9A-Za-z]{24})$/;

export const slackBot: FormatDef = {
  id: 'slack-bot',
  title: 'Slack bot token',
  pattern: /xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*/, // gitleaks slack-bot-token
  generate(): GeneratedToken {
    const team = randomDigits(pick([12, 13]));
    return { value: `xoxb-${team}-${randomDigits(13)}-${randomString(BASE62, 24)}` };
  },
  validate(value: string): boolean {
    return SHAPE.test(value);
  },
  core(value: string): string {
    return coreFromShape(SHAPE, value, slackBot);
  },
  decoy(token: GeneratedToken) {
    const content = envFile([
      ...appEnvHead(),
      '',
      '# Slack notifier',
      ['SLACK_BOT_TOKEN', token.value],
      ['SLACK_DEFAULT_CHANNEL', pick(['#deploys', '#alerts', '#ops-notifications', '#releases'])],
      ['SLACK_NOTIFY_ON_FAILURE', 'true'],
    ]);
    return { defaultName: '.env', content, mode: 0o600 };
  },
};
