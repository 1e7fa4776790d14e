/**
 * Router config → the rules applied at each group boundary (docs/policy.md "Where policies
 * run"): a group's named policy, or the default without one: iBGP groups accept, eBGP groups
 * exchange nothing (RFC 8212 §3).
 *
 * Owns: choosing the rule. Must not: evaluate routes.
 */
import type { GroupConfig } from '../config/router-config-types.js';
import { defaultVerdict } from '../policy/defaults.js';
import type { Policy, PolicySet } from '../policy/types.js';
import { ACCEPT_ALL, REJECT_ALL, type ExportRule } from '../reflect/export-entries.js';

/** The import rule of a group (a neighbour's own `importPolicy` wins). */
export function importRuleFor(g: GroupConfig, set: PolicySet, neighborPolicy: string | null = null): ExportRule {
  return ruleFor(g, neighborPolicy ?? g.importPolicy, set, 'import');
}

/** The export rule of a group. */
export function exportRuleFor(g: GroupConfig, set: PolicySet): ExportRule {
  return ruleFor(g, g.exportPolicy, set, 'export');
}

/** One rule object per compiled policy: an unchanged policy gives the same rule, so a reload leaves it alone. */
const rules = new WeakMap<Policy, ExportRule>();

function ruleFor(g: GroupConfig, name: string | null, set: PolicySet, direction: 'import' | 'export'): ExportRule {
  const policy = name === null ? undefined : set.policies.get(name);
  const verdict = defaultVerdict(g.role, direction, policy !== undefined);
  if (verdict === 'policy' && policy !== undefined) {
    let r = rules.get(policy);
    if (r === undefined) rules.set(policy, (r = { kind: 'policy', policy }));
    return r;
  }
  return verdict === 'reject' ? REJECT_ALL : ACCEPT_ALL;
}
