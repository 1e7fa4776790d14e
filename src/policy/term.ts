/**
 * Compiled terms: each match condition is a closure over pre-compiled data (sets, regexes,
 * prefix entries), each action a closure that changes the `EvalState`; the text of each is
 * kept for `explain`. Outcomes that carry no changes are allocated once per term, so an
 * evaluation that changes nothing allocates nothing.
 *
 * Owns: the shapes of compiled conditions, actions and terms. Must not: parse the grammar.
 */
import type { EvalState } from './state.js';
import type { PolicyOutcome, TermRef } from './types.js';

/** What ends a term when it matched; `next-term` (the default) goes on to the next term. */
export type TermFlow = 'accept' | 'reject' | 'next-term';

/** Which route inputs a condition reads (beyond the attribute set). */
export interface ConditionDeps {
  readonly prefix?: boolean;
  readonly group?: boolean;
  readonly role?: boolean;
  readonly family?: boolean;
}

export interface Condition {
  /** The match key (`community`, `asPath`, ...). */
  readonly key: string;
  /** Compact form for explain output (`community any of 65000:101`). */
  readonly text: string;
  readonly deps: ConditionDeps;
  readonly test: (st: EvalState) => boolean;
}

export interface Action {
  /** The then key (`localPref`, `community`, ...). */
  readonly key: string;
  /** Compact form for explain output (`localPref 20`). */
  readonly text: string;
  /** Set on `nextHop: self`: the result depends on the session's local address. */
  readonly nextHopSelf?: true;
  readonly apply: (st: EvalState) => void;
}

export interface CompiledTerm {
  readonly ref: TermRef;
  readonly conditions: readonly Condition[];
  readonly actions: readonly Action[];
  readonly flow: TermFlow;
  /** `{accept: false, term}` for this term. */
  readonly rejected: PolicyOutcome;
  /** `{accept: true, term, attributes: null, nextHop: null, applied: 0}` for this term. */
  readonly acceptedUnchanged: PolicyOutcome;
}

export function makeRef(policy: string, index: number, name: string): TermRef {
  return Object.freeze({ policy, index, name });
}

export function rejectedBy(term: TermRef): PolicyOutcome {
  return Object.freeze({ accept: false, term });
}

export function acceptedUnchangedBy(term: TermRef): PolicyOutcome {
  return Object.freeze({ accept: true, term, attributes: null, nextHop: null, applied: 0 });
}
