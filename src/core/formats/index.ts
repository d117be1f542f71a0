// The catalogue of token formats: lookup by id, and the random cores of a minted token and its companions.
import { UnknownFormatError } from '../errors.js';
import type { GeneratedToken, TokenFormat } from './types.js';
import type { FormatDef } from './format-def.js';
import { aws } from './aws.js';
import { githubPat } from './github-pat.js';
import { githubFineGrained } from './github-fine-grained.js';
import { gitlabPat } from './gitlab-pat.js';
import { slackBot } from './slack-bot.js';
import { stripeLive } from './stripe-live.js';
import { openaiProject } from './openai-project.js';
import { anthropic } from './anthropic.js';
import { npm } from './npm.js';
import { jwt } from './jwt.js';
import { sshEd25519 } from './ssh-ed25519.js';
import { databaseUrl } from './database-url.js';
import { generic } from './generic.js';

export type { DecoyFile, GeneratedToken, TokenFormat } from './types.js';

/** Every format, in the order `grith canary formats` lists them. */
export const FORMATS: readonly TokenFormat[] = [
  aws,
  githubPat,
  githubFineGrained,
  gitlabPat,
  slackBot,
  stripeLive,
  openaiProject,
  anthropic,
  npm,
  jwt,
  sshEd25519,
  databaseUrl,
  generic,
];

const BY_ID = new Map(FORMATS.map((f) => [f.id, f]));

export function formatIds(): string[] {
  return FORMATS.map((f) => f.id);
}

/** The format with this id; UnknownFormatError (listing the known ids) otherwise. */
export function getFormat(id: string): TokenFormat {
  const f = BY_ID.get(id);
  if (!f) throw new UnknownFormatError(id, formatIds());
  return f;
}

/**
 * Random cores of the value and of every companion, without duplicates (a database URL's core is its password
 * companion). Throws InvalidInputError when a stored value does not fit its format.
 */
export function coresOf(format: TokenFormat, token: GeneratedToken): string[] {
  const def = format as FormatDef;
  const cores = [format.core(token.value)];
  for (const [name, value] of Object.entries(token.companions ?? {})) {
    cores.push(def.companionCore ? def.companionCore(name, value) : value);
  }
  return [...new Set(cores)];
}
