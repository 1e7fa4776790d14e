/**
 * Every match condition of the policy language (src/policy/compile-match.ts and
 * community-patterns.ts): each is compiled into a one-term policy `{match, then: accept}`
 * with default reject, and routes built from readable values must be accepted or not.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { evaluate } from '../../src/policy/evaluate.js';
import { FLAG } from '../../src/wire/iana.js';
import type { RouteSpec, SetSpec } from './helpers.js';
import { matcher, mkRoute, mkSet, policyOf } from './helpers.js';

interface Case {
  readonly set?: SetSpec;
  readonly route?: RouteSpec;
  readonly hit: boolean;
}

function check(match: unknown, cases: readonly Case[]): void {
  const p = matcher(match);
  for (const c of cases) {
    const o = evaluate(p, mkRoute(mkSet(c.set ?? {}), c.route ?? {}));
    assert.equal(o.accept, c.hit, `${JSON.stringify(match)} on ${JSON.stringify(c)}`);
  }
}

describe('standard communities', () => {
  it('one value, a list (any of), well-known names', () => {
    check({ community: '65000:101' }, [{ set: { communities: ['65000:101'] }, hit: true }, { set: { communities: ['65000:102'] }, hit: false }, { hit: false }]);
    check({ community: ['65000:1', '65000:2'] }, [{ set: { communities: ['65000:2', '1:1'] }, hit: true }, { set: { communities: ['65000:3'] }, hit: false }]);
    for (const [name, text] of [['no-export', '65535:65281'], ['no-advertise', '65535:65282'], ['no-export-subconfed', '65535:65283'], ['blackhole', '65535:666'], ['graceful-shutdown', '65535:0']]) {
      check({ community: name }, [{ set: { communities: [text as string] }, hit: true }, { set: { communities: ['65535:1'] }, hit: false }]);
    }
  });
  it('wildcards on either half', () => {
    check({ community: '65000:*' }, [{ set: { communities: ['65000:7'] }, hit: true }, { set: { communities: ['65001:7'] }, hit: false }]);
    check({ community: '*:666' }, [{ set: { communities: ['64512:666'] }, hit: true }, { set: { communities: ['64512:667'] }, hit: false }]);
    check({ community: '*:*' }, [{ set: { communities: ['1:2'] }, hit: true }, { set: {}, hit: false }]);
  });
  it('allOf needs every pattern, anyOf one, regex one community text; keys AND', () => {
    check({ community: { allOf: ['65000:1', '65000:*', 'no-export'] } }, [
      { set: { communities: ['65000:1', 'no-export'] }, hit: true },
      { set: { communities: ['65000:1'] }, hit: false },
    ]);
    check({ community: { anyOf: ['65000:1', '65000:2'] } }, [{ set: { communities: ['65000:2'] }, hit: true }, { set: { communities: ['65000:3'] }, hit: false }]);
    check({ community: { regex: '^65000:1[0-9]{2}$' } }, [
      { set: { communities: ['65000:150'] }, hit: true },
      { set: { communities: ['65000:1500'] }, hit: false },
    ]);
    // the regex sees ASN:VAL numbers, also for well-known communities
    check({ community: { regex: '^65535:65281$' } }, [{ set: { communities: ['no-export'] }, hit: true }]);
    check({ community: { regex: ['^1:', '^2:'] } }, [{ set: { communities: ['2:5'] }, hit: true }, { set: { communities: ['3:5'] }, hit: false }]);
    check({ community: { anyOf: '65000:1', regex: ':9$' } }, [
      { set: { communities: ['65000:1', '7:9'] }, hit: true },
      { set: { communities: ['65000:1'] }, hit: false },
    ]);
  });
});

describe('extended and large communities', () => {
  it('route targets and sites of origin, by value, wildcard and regex', () => {
    check({ extendedCommunity: 'rt:65000:1' }, [{ set: { extended: ['rt:65000:1'] }, hit: true }, { set: { extended: ['soo:65000:1'] }, hit: false }, { hit: false }]);
    check({ extendedCommunity: 'rt:4200000000:7' }, [{ set: { extended: ['rt:4200000000:7'] }, hit: true }]);
    check({ extendedCommunity: 'soo:192.0.2.1:5' }, [{ set: { extended: ['soo:192.0.2.1:5'] }, hit: true }, { set: { extended: ['rt:192.0.2.1:5'] }, hit: false }]);
    check({ extendedCommunity: 'rt:65000:*' }, [{ set: { extended: ['rt:65000:99'] }, hit: true }, { set: { extended: ['rt:65001:99'] }, hit: false }]);
    check({ extendedCommunity: 'rt:*:5' }, [{ set: { extended: ['rt:10.0.0.1:5'] }, hit: true }, { set: { extended: ['rt:65000:5'] }, hit: true }]);
    check({ extendedCommunity: { regex: '^soo:' } }, [{ set: { extended: ['rt:1:1', 'soo:1:2'] }, hit: true }, { set: { extended: ['rt:1:1'] }, hit: false }]);
    check({ extendedCommunity: '0x030c000000000008' }, [{ set: { extended: ['0x030c000000000008'] }, hit: true }]);
    check({ extendedCommunity: { regex: '^0x030c' } }, [{ set: { extended: ['0x030c000000000008'] }, hit: true }]);
  });
  it('the 2- and 4-octet AS forms of one route target are equal (as FRR prints them)', () => {
    // rt:65000:1 as type 0x02 (4-octet AS 65000, value 1)
    // type 0x02 (4-octet AS), subtype 0x02 (route target), AS 65000, value 1
    check({ extendedCommunity: 'rt:65000:1' }, [{ set: { extended: ['0x02020000fde80001'] }, hit: true }]);
  });
  it('large communities', () => {
    check({ largeCommunity: '65000:1:2' }, [{ set: { large: ['65000:1:2'] }, hit: true }, { set: { large: ['65000:2:1'] }, hit: false }]);
    check({ largeCommunity: ['4200000000:0:1', '65000:*:2'] }, [{ set: { large: ['65000:77:2'] }, hit: true }, { set: { large: ['65000:77:3'] }, hit: false }]);
    check({ largeCommunity: { allOf: ['1:2:3', '4:5:6'] } }, [{ set: { large: ['4:5:6', '1:2:3'] }, hit: true }, { set: { large: ['4:5:6'] }, hit: false }]);
    check({ largeCommunity: { regex: '^65000:1:' } }, [{ set: { large: ['65000:1:9'] }, hit: true }, { set: { large: ['65000:10:9'] }, hit: false }]);
  });
});

describe('AS path', () => {
  it('regexes with _ and any-of lists', () => {
    check({ asPath: '_65001_' }, [{ set: { asPath: '65000 65001 65002' }, hit: true }, { set: { asPath: '650011' }, hit: false }, { set: { asPath: '{65001,65002}' }, hit: true }]);
    check({ asPath: ['^65002', '^$'] }, [{ set: { asPath: '' }, hit: true }, { set: { asPath: '65002 1' }, hit: true }, { set: { asPath: '1 65002' }, hit: false }]);
    check({ asPath: 65000 }, [{ set: { asPath: '65000' }, hit: true }]);
  });
  it('originAs: the last AS of a final AS_SEQUENCE; our AS for an empty path (RFC 6811 §2)', () => {
    check({ originAs: 65002 }, [{ set: { asPath: '65001 65002' }, hit: true }, { set: { asPath: '65002 65001' }, hit: false }, { set: { asPath: '65001 {65002}' }, hit: false }]);
    check({ originAs: '64512-65534' }, [{ set: { asPath: '1 65000' }, hit: true }, { set: { asPath: '1 65535' }, hit: false }]);
    check({ originAs: 65000 }, [{ set: { asPath: '' }, hit: true }, { set: { asPath: '(64512)' }, hit: true }]);
    check({ originAs: ['65000.1', 7] }, [{ set: { asPath: '1 4259840001' }, hit: true }, { set: { asPath: '7' }, hit: true }]);
  });
  it('neighborAs: the first AS of a leading AS_SEQUENCE', () => {
    check({ neighborAs: 65001 }, [{ set: { asPath: '65001 65002' }, hit: true }, { set: { asPath: '65002 65001' }, hit: false }, { set: { asPath: '' }, hit: false }, { set: { asPath: '(65001) 65001' }, hit: false }]);
  });
});

describe('where the route came from', () => {
  it('fromGroup', () => {
    check({ fromGroup: 'core' }, [{ route: { group: 'core' }, hit: true }, { route: { group: 'clients' }, hit: false }]);
    check({ fromGroup: ['region-a', 'region-b'] }, [{ route: { group: 'region-b' }, hit: true }]);
  });
  it('routeType', () => {
    const types = { fromClient: 'client', fromNonClient: 'nonClient', fromEbgp: 'ebgp', local: 'local' } as const;
    for (const [t, role] of Object.entries(types)) {
      check({ routeType: t }, (Object.values(types) as (typeof role)[]).map((r) => ({ route: { role: r }, hit: r === role })));
    }
    check({ routeType: ['fromClient', 'local'] }, [{ route: { role: 'local' }, hit: true }, { route: { role: 'ebgp' }, hit: false }]);
  });
  it('family', () => {
    check({ family: 'ipv6-unicast' }, [{ route: { prefix: '2001:db8::/32' }, hit: true }, { hit: false }]);
    check({ family: ['l2vpn-evpn', 'ipv4-unicast'] }, [{ route: { prefix: null, family: 'l2vpn-evpn' }, hit: true }, { hit: true }, { route: { prefix: '2001:db8::/32' }, hit: false }]);
  });
});

describe('attribute values', () => {
  it('origin', () => {
    check({ origin: 'igp' }, [{ set: { origin: 0 }, hit: true }, { set: { origin: 2 }, hit: false }]);
    check({ origin: ['egp', 'incomplete'] }, [{ set: { origin: 1 }, hit: true }, { set: { origin: 2 }, hit: true }, { set: { origin: 0 }, hit: false }]);
  });
  it('localPref and med ranges; missing values count as 100 and 0', () => {
    check({ localPref: { min: 100, max: 200 } }, [{ set: { localPref: 150 }, hit: true }, { set: { localPref: 99 }, hit: false }, { set: {}, hit: true }]);
    check({ localPref: 20 }, [{ set: { localPref: 20 }, hit: true }, { set: { localPref: 21 }, hit: false }]);
    check({ med: { max: 10 } }, [{ set: { med: 10 }, hit: true }, { set: { med: 11 }, hit: false }, { set: {}, hit: true }]);
    check({ med: { min: 4294967295 } }, [{ set: { med: 4294967295 }, hit: true }, { set: { med: 0 }, hit: false }]);
  });
  it('clusterListLength', () => {
    check({ clusterListLength: { min: 2 } }, [{ set: { clusterList: [1, 2] }, hit: true }, { set: { clusterList: [1] }, hit: false }, { hit: false }]);
    check({ clusterListLength: 0 }, [{ hit: true }, { set: { clusterList: [1] }, hit: false }]);
  });
  it('nextHop: the next hop lies inside a prefix; a bare address is a host prefix', () => {
    check({ nextHop: '192.0.2.0/24' }, [{ set: { nextHop: '192.0.2.77' }, hit: true }, { set: { nextHop: '192.0.3.1' }, hit: false }]);
    check({ nextHop: ['198.51.100.1', '2001:db8::/32'] }, [{ set: { nextHop: '198.51.100.1' }, hit: true }, { set: { nextHop: '198.51.100.2' }, hit: false }, { set: { nextHop: '2001:db8::1' }, hit: true }]);
  });
  it('rpki is not-found for every route until RPKI exists', () => {
    check({ rpki: 'not-found' }, [{ hit: true }]);
    check({ rpki: ['valid', 'invalid'] }, [{ hit: false }]);
  });
});

describe('prefix lists', () => {
  const cases = (entry: string, hits: readonly string[], misses: readonly string[]): void =>
    check({ prefixList: entry }, [...hits.map((prefix) => ({ route: { prefix }, hit: true })), ...misses.map((prefix) => ({ route: { prefix }, hit: false }))]);
  it('exact, ge, le, ge+le (FRR semantics)', () => {
    cases('10.0.0.0/8', ['10.0.0.0/8'], ['10.0.0.0/9', '10.1.0.0/16', '11.0.0.0/8']);
    cases('10.0.0.0/8 le 16', ['10.0.0.0/8', '10.255.0.0/16'], ['10.1.1.0/24', '11.0.0.0/16']);
    cases('10.0.0.0/8 ge 24', ['10.1.2.0/24', '10.1.2.3/32'], ['10.1.0.0/16', '10.0.0.0/8']);
    cases('10.0.0.0/8 ge 16 le 24', ['10.1.0.0/16', '10.1.2.0/24'], ['10.0.0.0/8', '10.1.2.128/25']);
    cases('0.0.0.0/0 le 32', ['10.0.0.0/8', '0.0.0.0/0'], ['2001:db8::/32']);
    cases('2001:db8::/32 le 48', ['2001:db8::/32', '2001:db8:1::/48'], ['2001:db8:1::/64', '2001:db9::/32', '10.0.0.0/8']);
    cases('2001:db8:0:1::/64', ['2001:db8:0:1::/64'], ['2001:db8:0:1::/65']);
  });
  it('named lists, mapping entries, mixes; no prefix never matches', () => {
    const p = policyOf({
      prefixLists: { lo: ['192.0.2.0/24 le 32', { prefix: '2001:db8::/32', ge: 64, le: 64 }] },
      p: { terms: [{ match: { prefixList: ['lo', '198.51.100.0/24'] }, then: 'accept' }] },
    });
    const set = mkSet();
    const hit = (prefix: string | null): boolean => evaluate(p, mkRoute(set, { prefix, family: 'ipv4-unicast' })).accept;
    assert.deepEqual(
      ['192.0.2.0/24', '192.0.2.1/32', '2001:db8:0:7::/64', '198.51.100.0/24', '198.51.100.0/25', '2001:db8::/48', '192.0.0.0/16', null].map(hit),
      [true, true, true, true, false, false, false, false],
    );
  });
});

describe('conditions AND; an empty match matches everything', () => {
  it('every key must hold', () => {
    check({ community: '65000:1', fromGroup: 'core', localPref: { min: 50 } }, [
      { set: { communities: ['65000:1'], localPref: 60 }, route: { group: 'core' }, hit: true },
      { set: { communities: ['65000:1'], localPref: 40 }, route: { group: 'core' }, hit: false },
      { set: { communities: ['65000:1'], localPref: 60 }, route: { group: 'clients' }, hit: false },
    ]);
    check(null, [{ hit: true }]);
    check({}, [{ hit: true }]);
  });
  it('attributes the engine does not interpret do not disturb matching', () => {
    check({ community: '1:1' }, [{ set: { communities: ['1:1'], extra: [{ kind: 'other', code: 99, flags: FLAG.OPTIONAL | FLAG.TRANSITIVE, value: Buffer.from([1, 2]) }] }, hit: true }]);
  });
});
