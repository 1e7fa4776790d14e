/**
 * The part of a policy's outcome that depends on the prefix, as a number: bit i is the result
 * of the policy's i-th prefix condition (in term order). Actions never read the prefix, so
 * for one attribute set, one source and one family the outcome is the same for every prefix
 * with the same mask: callers evaluate once per (set, mask) and cache (issue 6: export
 * policies with prefix lists at full fan-out speed). Testing a prefix list per prefix is far
 * cheaper than a whole evaluation.
 *
 * Owns: finding the prefix conditions and testing them. Must not: evaluate terms.
 */
import { EvalState } from './state.js';
import type { Condition } from './term.js';
import type { Policy, PolicyRoute } from './types.js';

/** Beyond this many prefix conditions there is no mask (`prefixMask` returns -1). */
const MAX_CONDITIONS = 31;

const conditions = new WeakMap<Policy, readonly Condition[]>();
const scratch = new EvalState();

/** The prefix conditions of a policy, in term order. */
export function prefixConditions(policy: Policy): readonly Condition[] {
  let list = conditions.get(policy);
  if (list === undefined) {
    list = policy.terms.flatMap((t) => t.conditions.filter((c) => c.deps.prefix === true));
    conditions.set(policy, list);
  }
  return list;
}

/** The mask of `route`'s prefix for `policy`; -1 when the policy has too many prefix conditions to key on. */
export function prefixMask(policy: Policy, route: PolicyRoute): number {
  const list = prefixConditions(policy);
  if (list.length > MAX_CONDITIONS) return -1;
  // Prefix conditions read only `route.prefix`: the state needs no reset.
  scratch.route = route;
  let mask = 0;
  for (let i = 0; i < list.length; i++) if ((list[i] as Condition).test(scratch)) mask |= 1 << i;
  return mask;
}
