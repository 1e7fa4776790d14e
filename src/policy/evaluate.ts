/**
 * Policy evaluation: terms in order; a term matches when all its conditions hold; a matching
 * term's actions run, then its flow decides: `accept` or `reject` ends evaluation,
 * `next-term` (the default) goes on with the changed route; after the last term the
 * policy's `default` decides, keeping the changes when it accepts. The outcome names the
 * deciding term (for `meshrr policy test` and logs).
 *
 * Cost (issue 6 asks for cheap per-update-group export): conditions are pre-compiled
 * closures, values derived from an attribute set are computed once per set (state.ts), one
 * state object is reused, and an outcome without changes is a per-term constant, so an
 * evaluation that changes nothing allocates nothing. Cache outcomes with cache.ts.
 *
 * Owns: term order and flow. Must not: apply RFC 8212 or the well-known communities (the
 * caller does, before policy: defaults.ts).
 */
import type { Action, CompiledTerm, Condition } from './term.js';
import { acceptedUnchangedBy, rejectedBy } from './term.js';
import { EvalState } from './state.js';
import type { Policy, PolicyOutcome, PolicyRoute, TermRef } from './types.js';

/** Receives each step of an evaluation (explain.ts); evaluation then tests every condition of a term. */
export interface TraceSink {
  term(t: CompiledTerm): void;
  condition(c: Condition, result: boolean): void;
  /** After `a` ran; `st` shows the route as it now is. */
  action(a: Action, st: EvalState): void;
  default(p: Policy): void;
}

const scratch = new EvalState();
const defaults = new WeakMap<Policy, PolicyOutcome>();

function defaultOutcome(p: Policy): PolicyOutcome {
  let o = defaults.get(p);
  if (o === undefined) {
    o = p.default === 'accept' ? acceptedUnchangedBy(p.defaultRef) : rejectedBy(p.defaultRef);
    defaults.set(p, o);
  }
  return o;
}

/** Evaluates `policy` for `route`. */
export function evaluate(policy: Policy, route: PolicyRoute): PolicyOutcome {
  return run(policy, route, scratch, null);
}

/** Evaluation with an explicit state and an optional trace (explain.ts). */
export function run(policy: Policy, route: PolicyRoute, st: EvalState, trace: TraceSink | null): PolicyOutcome {
  st.reset(route, policy.localAs);
  let applied = 0;
  for (let i = 0; i < policy.terms.length; i++) {
    const t = policy.terms[i] as CompiledTerm;
    trace?.term(t);
    let matched = true;
    for (const c of t.conditions) {
      const r = c.test(st);
      trace?.condition(c, r);
      if (!r) {
        matched = false;
        if (trace === null) break;
      }
    }
    if (!matched) continue;
    if (t.actions.length > 0) applied |= 1 << Math.min(i, 31);
    for (const a of t.actions) {
      a.apply(st);
      trace?.action(a, st);
    }
    if (t.flow === 'accept') return accepted(st, t.ref, t.acceptedUnchanged, applied);
    if (t.flow === 'reject') return t.rejected;
  }
  trace?.default(policy);
  const d = defaultOutcome(policy);
  return d.accept ? accepted(st, policy.defaultRef, d, applied) : d;
}

function accepted(st: EvalState, term: TermRef, unchanged: PolicyOutcome, applied: number): PolicyOutcome {
  st.settle();
  const changed = st.changed();
  if (!changed && st.nextHop === null) return unchanged;
  return { accept: true, term, attributes: changed ? st.buildAttributes() : null, nextHop: st.nextHop, applied };
}
