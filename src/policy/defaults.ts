/**
 * What happens at a group boundary before and without a policy. The caller applies these;
 * policy evaluation itself knows nothing of them:
 * 1. NO_ADVERTISE (RFC 1997): never exported, checked before any export policy.
 * 2. NO_EXPORT and NO_EXPORT_SUBCONFED (RFC 1997): never exported to an eBGP group, checked
 *    before any export policy. A policy cannot override 1 or 2: both are the AttrSet flags
 *    `eligible()` in src/reflect/roles.ts already tests.
 * 3. Without a policy, iBGP groups (client, nonClient) accept in both directions.
 * 4. Without a policy, eBGP groups accept nothing and send nothing (RFC 8212 §3); with a
 *    policy, the policy decides (its `default` included).
 *
 * Owns: the verdict table. Must not: look at routes.
 */
export type GroupRole = 'client' | 'nonClient' | 'ebgp';
export type PolicyDirection = 'import' | 'export';
/** `policy`: evaluate the group's policy. */
export type DefaultVerdict = 'accept' | 'reject' | 'policy';

/** Rules 3 and 4 above. */
export function defaultVerdict(role: GroupRole, _direction: PolicyDirection, hasPolicy: boolean): DefaultVerdict {
  if (hasPolicy) return 'policy';
  // RFC 8212 §3 applies to both directions alike.
  return role === 'ebgp' ? 'reject' : 'accept';
}
