// Public entry of the matcher: compile targets into a Matcher; list the encoded variants of a secret.
export { compileMatcher, type CompileOptions } from './matcher.js';
export { variantsOf, MIN_PATTERN_LENGTH, type Variant } from './variants.js';
export type { Hit, MatchStream, MatchTarget, Matcher, VariantName } from './types.js';
