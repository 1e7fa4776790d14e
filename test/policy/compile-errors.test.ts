/**
 * Problems the policy compiler reports (src/policy/compile.ts and the readers it uses):
 * exact `FILE:LINE PATH: MESSAGE` lines for each kind of mistake, every problem of a file
 * at once in line order, the ConfigError shape shared with the router config, line lookup
 * through `lineOf`, and `checkReferences` for policy names groups refer to.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/router-config-errors.js';
import { isMeshrrError } from '../../src/errors.js';
import { checkPolicies, checkReferences, compilePolicies } from '../../src/policy/compile.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { compileYaml, GROUPS, mkRoute, mkSet } from './helpers.js';

function problems(yaml: string): string[] {
  try {
    compileYaml(yaml);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message.split('\n');
  }
  assert.fail('expected a ConfigError');
}

const term = (match: string, then = 'accept'): string => `policies:\n  region-out:\n    terms:\n      - match: ${match}\n        then: ${then}\n`;
const COMM = 'a community ASN:VALUE (each 0 to 65535, like 65000:101), a well-known name (no-export, no-advertise, no-export-subconfed, no-peer, blackhole, graceful-shutdown, accept-own, llgr-stale, no-llgr), or a wildcard like 65000:*';

const CASES: readonly { name: string; yaml: string; expect: readonly string[] }[] = [
  { name: 'unknown community format', yaml: term('{community: 65000:1x}'), expect: [`rr.yml:4 policies.region-out.terms[0].match.community: '65000:1x' is not ${COMM}`] },
  { name: 'community field too large', yaml: term('{community: [65000:1, 65000:70000]}'), expect: [`rr.yml:4 policies.region-out.terms[0].match.community[1]: '65000:70000' is not ${COMM}`] },
  {
    name: 'extended community without a value',
    yaml: term('{extendedCommunity: rt:65000}'),
    expect: ["rr.yml:4 policies.region-out.terms[0].match.extendedCommunity: 'rt:65000' is not an extended community rt:ASN:N, soo:ASN:N, rt:A.B.C.D:N, 16 hex digits like 0x0002fde800000001, or a wildcard like rt:65000:*"],
  },
  {
    name: 'large community with two fields',
    yaml: term('{largeCommunity: "1:2"}'),
    expect: ["rr.yml:4 policies.region-out.terms[0].match.largeCommunity: '1:2' is not a large community GLOBAL:LOCAL1:LOCAL2 (each 0 to 4294967295, like 65000:1:2), or a wildcard like 65000:*:2"],
  },
  {
    name: 'bad regex: the JS RegExp error text',
    yaml: term('{community: {regex: "65000:(1"}}'),
    expect: ["rr.yml:4 policies.region-out.terms[0].match.community.regex: bad regular expression '65000:(1': Invalid regular expression: /65000:(1/u: Unterminated group"],
  },
  {
    name: 'bad AS-path regexes',
    yaml: term('{asPath: ["_65000_", "(65001", "_{?65003}?_", "^65001 x"]}'),
    expect: [
      "rr.yml:4 policies.region-out.terms[0].match.asPath[1]: bad AS-path regular expression '(65001': a ( is never closed",
      "rr.yml:4 policies.region-out.terms[0].match.asPath[2]: bad AS-path regular expression '_{?65003}?_': '{' at character 2 does not start an interval like {2}, {1,3} or {2,}; write \\{ for a brace",
      'rr.yml:4 policies.region-out.terms[0].match.asPath[3]: bad AS-path regular expression \'^65001 x\': character "x" is not allowed: AS-path expressions use digits, space and _^$.*+?|()[]{},-\\ only (as FRR)',
    ],
  },
  {
    name: 'unknown prefix list',
    yaml: 'policies:\n  prefixLists:\n    bogons: [10.0.0.0/8 le 32]\n  p:\n    terms:\n      - match: {prefixList: [bogon]}\n        then: accept\n',
    expect: ["rr.yml:6 policies.p.terms[0].match.prefixList[0]: unknown prefix list 'bogon' (defined: bogons); did you mean bogons?"],
  },
  {
    name: 'bad prefix-list entries',
    yaml: 'policies:\n  prefixLists:\n    a:\n      - 10.0.0.0/8 le 33\n      - 10.0.0.1/8\n      - 10.0.0.0/8 le\n      - {prefix: "2001:db8::/32", ge: 20}\n    b: []\n',
    expect: [
      "rr.yml:4 policies.prefixLists.a[0]: '10.0.0.0/8 le 33' needs 8 ≤ ge ≤ le ≤ 32 (got ge 8, le 33)",
      "rr.yml:5 policies.prefixLists.a[1]: '10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?",
      "rr.yml:6 policies.prefixLists.a[2]: '10.0.0.0/8 le' is not a prefix-list entry like 10.0.0.0/8, 10.0.0.0/8 le 24 or 10.0.0.0/8 ge 16 le 24",
      "rr.yml:7 policies.prefixLists.a[3]: '2001:db8::/32' needs 32 ≤ ge ≤ le ≤ 128 (got ge 20, le 128)",
      'rr.yml:8 policies.prefixLists.b: an empty prefix list matches nothing; list at least one prefix',
    ],
  },
  {
    name: 'unknown group in fromGroup',
    yaml: term('{fromGroup: [core, regoin-a]}'),
    expect: ["rr.yml:4 policies.region-out.terms[0].match.fromGroup[1]: unknown peer group 'regoin-a' (defined: clients, core, region-a, region-b, upstream); did you mean region-a?"],
  },
  {
    name: 'unknown keys with did-you-mean',
    yaml: 'policies:\n  p:\n    defualt: accept\n    terms:\n      - match: {comunity: "1:1", asPath: "_1_"}\n        than: accept\n      - match: {community: {all-of: ["1:1"]}}\n        then: accept\n',
    expect: [
      "rr.yml:3 policies.p.defualt: unknown key 'defualt'; did you mean default?",
      "rr.yml:5 policies.p.terms[0].match.comunity: unknown key 'comunity'; did you mean community?",
      'rr.yml:5 policies.p.terms[0].then: required key is missing; expected accept, reject, next-term or a mapping of actions',
      "rr.yml:6 policies.p.terms[0].than: unknown key 'than'; did you mean then?",
      "rr.yml:7 policies.p.terms[1].match.community.all-of: unknown key 'all-of'; did you mean allOf?",
    ],
  },
  {
    name: 'action values',
    yaml: 'policies:\n  p:\n    terms:\n      - then: acept\n      - then:\n          localPref: -1\n          med: {add: 1, set: 2}\n          asPathPrepend: {asn: 0, count: 40}\n          nextHop: selff\n          origin: igb\n          community: {add: "65000:*"}\n',
    expect: [
      "rr.yml:4 policies.p.terms[0].then: 'acept' is not one of accept, reject, next-term (did you mean accept?)",
      'rr.yml:6 policies.p.terms[1].then.localPref: -1 is not an integer from 0 to 4294967295',
      'rr.yml:7 policies.p.terms[1].then.med: expected exactly one of set, add, subtract (got set, add)',
      'rr.yml:8 policies.p.terms[1].then.asPathPrepend.asn: 0 is not own or an AS number (1 to 4294967295, not 23456)',
      'rr.yml:8 policies.p.terms[1].then.asPathPrepend.count: 40 is not an integer from 1 to 32',
      "rr.yml:9 policies.p.terms[1].then.nextHop: 'selff' is not self, unchanged or an IPv4/IPv6 address",
      "rr.yml:10 policies.p.terms[1].then.origin: 'igb' is not one of igp, egp, incomplete (did you mean igp?)",
      `rr.yml:11 policies.p.terms[1].then.community.add: '65000:*' is a pattern; set and add take exact values (${COMM.split(', or a wildcard')[0] ?? ''})`,
    ],
  },
  {
    name: 'match values',
    yaml: term('{localPref: {min: 5, max: 1}, clusterListLength: 256, routeType: fromclient, family: ipv4-unicat, rpki: valid-ish, originAs: 65010-65001}'),
    expect: [
      "rr.yml:4 policies.region-out.terms[0].match.family: 'ipv4-unicat' is not one of ipv4-unicast, ipv6-unicast, l2vpn-evpn, ipv4-vpn, ipv6-vpn, ipv4-flowspec, ipv6-flowspec, ipv4-labeled-unicast, ipv6-labeled-unicast (did you mean ipv4-unicast?)",
      "rr.yml:4 policies.region-out.terms[0].match.routeType: 'fromclient' is not one of fromClient, fromNonClient, fromEbgp, local (did you mean fromClient?)",
      'rr.yml:4 policies.region-out.terms[0].match.localPref: min 5 is above max 1',
      'rr.yml:4 policies.region-out.terms[0].match.clusterListLength: 256 is not a number from 0 to 255, or a range {min, max}',
      "rr.yml:4 policies.region-out.terms[0].match.rpki: 'valid-ish' is not one of valid, invalid, not-found",
      "rr.yml:4 policies.region-out.terms[0].match.originAs: '65010-65001' is an empty range (65010 > 65001)",
    ],
  },
  {
    name: 'shapes and duplicate term names',
    yaml: 'policies:\n  p: [1]\n  q: {terms: {}}\n  r:\n    terms:\n      - {name: a, then: accept}\n      - {name: a, then: accept}\n      - 1\n',
    expect: [
      'rr.yml:2 policies.p: expected a policy mapping with default and terms, got a list',
      'rr.yml:3 policies.q.terms: expected a list of terms, got a mapping',
      "rr.yml:7 policies.r.terms[1].name: term name 'a' is already used at policies.r.terms[0]",
      'rr.yml:8 policies.r.terms[2]: expected a term mapping with match and then, got 1',
    ],
  },
];

describe('problem messages', () => {
  for (const c of CASES) it(c.name, () => assert.deepEqual(problems(c.yaml), c.expect));
});

describe('the error object', () => {
  it('is the router config ConfigError with every problem, code MESHRR_CONFIG_INVALID', () => {
    try {
      compileYaml(term('{community: "1:x", fromGroup: nope}'), { file: 'cfg/rr.yml' });
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof ConfigError && isMeshrrError(e));
      assert.equal(e.code, 'MESHRR_CONFIG_INVALID');
      assert.equal(e.problems.length, 2);
      assert.deepEqual(Object.keys(e.problems[0] ?? {}).sort(), ['file', 'line', 'message', 'path']);
      assert.equal(e.problems[0]?.file, 'cfg/rr.yml');
    }
  });
  it('without lineOf every problem is at line 1; lineOf falls back to the nearest known ancestor', () => {
    const raw = { p: { terms: [{ match: { community: 'x' }, then: 'accept' }] } };
    const r = checkPolicies(raw, 'f', { localAs: 1, groups: [] });
    assert.deepEqual(r.problems.map((p) => [p.path, p.line]), [['policies.p.terms[0].match.community', 1]]);
    const lines = new Map([['policies', 10], ['policies.p.terms[0]', 12]]);
    const r2 = checkPolicies(raw, 'f', { localAs: 1, groups: [], lineOf: (p) => lines.get(p) });
    assert.equal(r2.problems[0]?.line, 12);
    assert.equal(r2.set, null);
  });
  it('a value that is not a mapping; null and missing mean no policies; {} rejects everything', () => {
    assert.throws(() => compilePolicies([1], 'f', { localAs: 1, groups: [] }), /policies: expected a mapping of policy names to definitions, got a list/);
    assert.equal(compilePolicies(null, 'f', { localAs: 1, groups: [] }).policies.size, 0);
    assert.equal(compilePolicies(undefined, 'f', { localAs: 1, groups: [] }).policies.size, 0);
    const set = compilePolicies({ strict: {}, empty: null }, 'f', { localAs: 1, groups: [] });
    for (const p of set.policies.values()) assert.equal(evaluate(p, mkRoute(mkSet())).accept, false);
  });
});

describe('checkReferences', () => {
  const set = compilePolicies({ prefixLists: { a: ['10.0.0.0/8'] }, 'region-out': {}, 'region-in': {} }, 'rr.yml', { localAs: 65000, groups: GROUPS });
  it('reports names groups use that are not policies', () => {
    const refs = [
      { name: 'region-out', path: 'groups[0].exportPolicy', line: 20 },
      { name: 'regoin-in', path: 'groups[1].importPolicy', line: 25 },
      { name: 'prefixLists', path: 'groups[2].importPolicy', line: 30 },
      { name: 'other', path: 'groups[3].exportPolicy', line: 35 },
    ];
    assert.deepEqual(checkReferences(set, refs), [
      { file: 'rr.yml', path: 'groups[1].importPolicy', line: 25, message: "policy 'regoin-in' is not defined under policies (defined: region-out, region-in); did you mean region-in?" },
      { file: 'rr.yml', path: 'groups[2].importPolicy', line: 30, message: "'prefixLists' holds the prefix lists, not a policy" },
      { file: 'rr.yml', path: 'groups[3].exportPolicy', line: 35, message: "policy 'other' is not defined under policies (defined: region-out, region-in)" },
    ]);
    assert.deepEqual(checkReferences(set, refs.slice(0, 1)), []);
  });
});
