/**
 * The policy engine (issue 6) in one import: compile the router config's `policies:` value,
 * evaluate a policy for a route, cache outcomes per attribute set, explain an evaluation, and
 * the defaults callers apply around policies. Grammar and semantics: docs/policy.md.
 *
 * Layer 3 (core, beside src/reflect): imports src/wire and src/rib types only, plus the
 * router config's error class for problems. No I/O.
 */
export { compilePolicies, checkPolicies, checkReferences, DEFAULT_POLICY_DEFAULT, PREFIX_LISTS_KEY } from './compile.js';
export type { CompileOptions, PolicyReference } from './compile.js';
export { evaluate } from './evaluate.js';
export { PolicyCache, sourceKey } from './cache.js';
export { explain } from './explain.js';
export type { PolicyExplanation } from './explain.js';
export { defaultVerdict } from './defaults.js';
export type { DefaultVerdict, GroupRole, PolicyDirection } from './defaults.js';
export { asPathText, compileAsPathRegex } from './as-path-regex.js';
export { familyLabel, familyName, POLICY_FAMILIES } from './family.js';
export type * from './types.js';
