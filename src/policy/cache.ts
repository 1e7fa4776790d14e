/**
 * Per-attribute-set outcome cache for one policy (issue 6: evaluate an export policy once per
 * attribute set, not per prefix and group member). An outcome depends only on the set, the
 * source fields the policy reads (group, role, family: `sourceKey`) and, when
 * `policy.usesPrefix`, the prefix; such policies are evaluated every time.
 *
 * Keys are the interned `AttrSet` objects in WeakMaps rather than their numeric ids: the RIB
 * recycles ids of released sets, so an id-keyed entry could answer for a different set, while
 * an object key cannot, and its entry goes away with the set. Changing the policy (a config
 * reload) drops every entry.
 *
 * Owns: caching. Must not: keep sets alive.
 */
import type { AttrSet } from '../rib/attr-set.js';
import { evaluate } from './evaluate.js';
import type { Policy, PolicyOutcome, PolicyRoute } from './types.js';

/** The part of `route.source` and `route.family` that `policy` reads; '' when none. */
export function sourceKey(policy: Policy, route: PolicyRoute): string {
  const g = policy.usesGroup;
  const r = policy.usesRole;
  const f = policy.usesFamily;
  if (!g && !r && !f) return '';
  if (g && !r && !f) return route.source.group;
  if (!g && r && !f) return route.source.role;
  if (!g && !r && f) return route.family;
  // The group name may hold any character; a NUL separator cannot be confused with it in YAML text.
  return `${g ? route.source.group : ''}\0${r ? route.source.role : ''}\0${f ? route.family : ''}`;
}

export class PolicyCache {
  private policyNow: Policy;
  private bySource = new Map<string, WeakMap<AttrSet, PolicyOutcome>>();
  /** Answers from the cache. */
  hits = 0;
  /** Evaluations whose outcome was stored. */
  misses = 0;
  /** Evaluations that could not be cached (the policy reads the prefix). */
  uncached = 0;

  constructor(policy: Policy) {
    this.policyNow = policy;
  }

  get policy(): Policy {
    return this.policyNow;
  }

  /** Switches to `policy` (after a reload); drops every entry when it is another policy. Returns whether it changed. */
  setPolicy(policy: Policy): boolean {
    if (policy === this.policyNow) return false;
    this.policyNow = policy;
    this.clear();
    return true;
  }

  /** Drops every entry. */
  clear(): void {
    this.bySource = new Map();
  }

  evaluate(route: PolicyRoute): PolicyOutcome {
    const p = this.policyNow;
    if (p.usesPrefix) {
      this.uncached++;
      return evaluate(p, route);
    }
    const key = sourceKey(p, route);
    let m = this.bySource.get(key);
    if (m === undefined) {
      m = new WeakMap();
      this.bySource.set(key, m);
    }
    let o = m.get(route.set);
    if (o !== undefined) {
      this.hits++;
      return o;
    }
    o = evaluate(p, route);
    m.set(route.set, o);
    this.misses++;
    return o;
  }

  /** Forgets the outcomes of one set (optional: entries also go when the set is collected). */
  forget(set: AttrSet): void {
    for (const m of this.bySource.values()) m.delete(set);
  }
}
