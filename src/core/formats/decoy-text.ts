// Plausible surroundings for decoy files: .env neighbours, host and user names. The canary label is never written
// into a decoy (it would tell the reader it is a trap).
import { pick, randomString, LOWER_ALNUM } from './random.js';

/** Made-up but ordinary-looking organisations; used for hosts, issuers and buckets. */
const ORGS = ['brightpath', 'tessel', 'northgate', 'corvid-labs', 'lumenhq', 'fernway', 'quarry', 'halcyon-apps'];
const TLDS = ['io', 'com', 'dev', 'app'];
const USERS = ['jmartinez', 'apatel', 'sokafor', 'lchen', 'mbrandt', 'deploy-bot', 'ci-release', 'tnguyen'];
const MACHINES = ['build-01', 'laptop', 'devbox', 'ci-runner-3', 'ws-04', 'mbp'];

export interface Org {
  name: string;
  domain: string;
}

export function org(): Org {
  const name = pick(ORGS);
  return { name, domain: `${name}.${pick(TLDS)}` };
}

export function userName(): string {
  return pick(USERS);
}

export function machineName(): string {
  return pick(MACHINES);
}

/** An internal-looking hostname for a service: `db.internal`, an RDS endpoint, ... */
export function serviceHost(kind: 'postgres' | 'redis', o: Org): string {
  if (kind === 'redis') return pick(['redis.internal', 'cache.internal', `redis.${o.domain}`, 'localhost']);
  const rdsId = randomString(LOWER_ALNUM, 12);
  const region = pick(['us-east-1', 'eu-west-1', 'eu-central-1', 'us-west-2']);
  return pick([
    'db.internal',
    `postgres.prod.${o.name}.internal`,
    `${o.name}-prod.${rdsId}.${region}.rds.amazonaws.com`,
  ]);
}

/** Lines of a `.env`: `[KEY, value]` pairs, `#` comments and blank lines (''). Ends with a newline. */
export function envFile(lines: ReadonlyArray<readonly [string, string] | string>): string {
  return lines.map((l) => (typeof l === 'string' ? l : `${l[0]}=${l[1]}`)).join('\n') + '\n';
}

/** The usual head of a Node service's .env. */
export function appEnvHead(): Array<readonly [string, string]> {
  return [
    ['NODE_ENV', 'production'],
    ['PORT', pick(['3000', '8080', '4000', '5000'])],
    ['LOG_LEVEL', pick(['info', 'warn', 'debug'])],
  ];
}
