/**
 * `meshrr policy test` as a pure function: evaluates one policy for one route with a trace
 * and returns text lines — the route, each term with each condition's result and each action
 * with the value it left, the deciding term, and the resulting attributes. The CLI wrapper
 * (building the route from the command line and the config) lives above the core.
 *
 * Owns: the trace text. Must not: be used on the hot path (it allocates freely).
 */
import { run } from './evaluate.js';
import type { TraceSink } from './evaluate.js';
import { WELL_KNOWN_NAMES } from './communities.js';
import { addressText, nextHopAddress } from './prefix.js';
import { EvalState, originAsOf } from './state.js';
import type { CompiledTerm } from './term.js';
import type { PolicyOutcome, PolicyRoute, PolicySet } from './types.js';

export interface PolicyExplanation {
  /** null when the policy does not exist. */
  readonly outcome: PolicyOutcome | null;
  readonly lines: readonly string[];
}

const ORIGIN_NAMES = ['igp', 'egp', 'incomplete'];
const WELL_KNOWN_BY_VALUE = new Map(Object.entries(WELL_KNOWN_NAMES).map(([k, v]) => [v, k]));

export function explain(set: PolicySet, policyName: string, route: PolicyRoute): PolicyExplanation {
  const policy = set.policies.get(policyName);
  if (policy === undefined) {
    const known = [...set.policies.keys()];
    return { outcome: null, lines: [`no policy named '${policyName}' (${known.length === 0 ? 'none are defined' : `defined: ${known.join(', ')}`})`] };
  }
  const lines: string[] = [];
  const st = new EvalState();
  st.reset(route, policy.localAs);
  lines.push(`policy ${policy.name} (${policy.terms.length} term${policy.terms.length === 1 ? '' : 's'}, default ${policy.default})`);
  lines.push(`route ${prefixText(route)} family ${route.family} from group '${route.source.group}' (${route.source.role}, AS ${route.source.peerAs})`);
  for (const l of describe(st)) lines.push(`  ${l}`);
  let current: CompiledTerm | null = null;
  let allMatched = true;
  const flush = (): void => {
    if (current === null) return;
    if (!allMatched) lines.push('    → no match');
    else if (current.flow !== 'next-term') lines.push(`    → ${current.flow}`);
    else lines.push('    → next term');
  };
  const sink: TraceSink = {
    term(t) {
      flush();
      current = t;
      allMatched = true;
      lines.push(`term ${t.ref.index} '${t.ref.name}'${t.conditions.length === 0 ? ' (no conditions: matches every route)' : ''}`);
    },
    condition(c, r) {
      if (!r) allMatched = false;
      lines.push(`    ${r ? 'yes' : 'no '} ${c.text}`);
    },
    action(a) {
      lines.push(`    do  ${a.text}`);
    },
    default(p) {
      flush();
      current = null;
      lines.push(`no term decided: default ${p.default}`);
    },
  };
  const outcome = run(policy, route, st, sink);
  if (outcome.term.index >= 0) {
    flush();
  }
  lines.push(`result: ${outcome.accept ? 'accept' : 'reject'} by ${outcome.term.index < 0 ? 'the default' : `term ${outcome.term.index} '${outcome.term.name}'`}`);
  if (outcome.accept) {
    if (outcome.attributes === null && outcome.nextHop === null) lines.push('  attributes unchanged');
    else {
      lines.push('  resulting attributes:');
      for (const l of describe(st)) lines.push(`    ${l}`);
      if (outcome.nextHop !== null) lines.push(`    next hop action: ${outcome.nextHop.kind === 'address' ? addressOf(outcome.nextHop.octets) : outcome.nextHop.kind}`);
    }
  }
  return { outcome, lines };
}

function prefixText(route: PolicyRoute): string {
  const p = route.prefix;
  if (p === null) return '(no prefix)';
  const len = p.afi === 1 ? 4 : 16;
  const octets = new Uint8Array(len);
  octets.set(p.octets.subarray(0, Math.min(len, Math.ceil(p.bits / 8))));
  return `${addressText({ afi: p.afi === 1 ? 1 : 2, octets })}/${p.bits}`;
}

function addressOf(nh: Uint8Array): string {
  const a = nextHopAddress(nh);
  return a === null ? (nh.length === 0 ? '(none)' : `0x${Buffer.from(nh).toString('hex')}`) : addressText(a);
}

/** The route's values as conditions see them now. */
function describe(st: EvalState): string[] {
  const path = st.asPathText();
  const origin = originAsOf(st.getAsPath(), st.localAs);
  const comms = st.communityTexts().map((t, i) => {
    const name = WELL_KNOWN_BY_VALUE.get(st.getCommunities()[i] as number);
    return name === undefined ? t : `${t}(${name})`;
  });
  const lp = st.localPref !== null || st.set.hasLocalPref ? String(st.getLocalPref()) : `${st.getLocalPref()} (not set)`;
  const med = st.med !== null || st.set.hasMed ? String(st.getMed()) : '0 (not set)';
  const out = [
    `origin ${ORIGIN_NAMES[st.getOrigin()] ?? st.getOrigin()}, as-path "${path}" (origin AS ${origin ?? 'none'}), next hop ${addressOf(st.getNextHop())}`,
    `local-pref ${lp}, med ${med}, cluster-list length ${st.set.clusterList.length}`,
    `communities: ${comms.length === 0 ? '(none)' : comms.join(' ')}`,
  ];
  if (st.getExtended().length > 0) out.push(`extended communities: ${st.extendedTexts().join(' ')}`);
  if (st.getLarge().length > 0) out.push(`large communities: ${st.largeTexts().join(' ')}`);
  return out;
}
