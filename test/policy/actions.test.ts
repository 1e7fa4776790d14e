/**
 * Every action of the policy language (src/policy/compile-actions.ts), term flow (accept,
 * reject, next-term, the default) and the outcomes evaluation returns: which term decided,
 * `attributes: null` when nothing changed, changed lists in type-code order that intern
 * into the expected set.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { evaluate } from '../../src/policy/evaluate.js';
import { asPathText } from '../../src/policy/as-path-regex.js';
import { formatExtended, formatLarge, formatStandard } from '../../src/policy/communities.js';
import type { PolicyOutcome } from '../../src/policy/types.js';
import type { AttrSet } from '../../src/rib/attr-set.js';
import { findAttribute } from '../../src/wire/attribute-types.js';
import type { PathAttribute } from '../../src/wire/attribute-types.js';
import type { SetSpec } from './helpers.js';
import { internList, LOCAL_AS, mkRoute, mkSet, policyOf } from './helpers.js';

/** Evaluates `{then}` as the only term, for a set. */
function run(then: unknown, spec: SetSpec = {}, localAs = LOCAL_AS): PolicyOutcome {
  return evaluate(policyOf({ p: { default: 'reject', terms: [{ then }] } }, 'p', localAs), mkRoute(mkSet(spec)));
}

function attrs(o: PolicyOutcome): readonly PathAttribute[] {
  assert.ok(o.accept, 'accepted');
  assert.ok(o.attributes !== null, 'attributes changed');
  return o.attributes;
}

const comms = (o: PolicyOutcome): string[] => (findAttribute(attrs(o), 'communities')?.value ?? []).map(formatStandard);
const ext = (o: PolicyOutcome): string[] => {
  const v = findAttribute(attrs(o), 'extendedCommunities')?.value;
  if (v === undefined) return [];
  const hex = v.toString('hex');
  return Array.from({ length: hex.length / 16 }, (_, i) => formatExtended(hex.slice(i * 16, i * 16 + 16)));
};
const large = (o: PolicyOutcome): string[] => {
  const v = findAttribute(attrs(o), 'largeCommunities')?.value ?? [];
  return Array.from({ length: v.length / 3 }, (_, i) => formatLarge(v[i * 3] as number, v[i * 3 + 1] as number, v[i * 3 + 2] as number));
};

describe('flow', () => {
  it('accept, reject and next-term record the deciding term; the default decides last', () => {
    const p = policyOf({
      p: {
        default: 'accept',
        terms: [
          { name: 'drop', match: { community: '1:1' }, then: 'reject' },
          { name: 'mark', match: { community: '2:2' }, then: { localPref: 5 } },
          { name: 'take', match: { community: '3:3' }, then: 'accept' },
          { match: { community: '4:4' }, then: 'next-term' },
        ],
      },
    });
    const term = (c: string[]): string => {
      const o = evaluate(p, mkRoute(mkSet({ communities: c })));
      return `${o.accept ? 'accept' : 'reject'} ${o.term.name} ${o.term.index}`;
    };
    assert.equal(term(['1:1', '3:3']), 'reject drop 0');
    assert.equal(term(['3:3']), 'accept take 2');
    assert.equal(term(['2:2', '3:3']), 'accept take 2');
    assert.equal(term(['4:4']), 'accept default -1');
    assert.equal(term([]), 'accept default -1');
    const o = evaluate(p, mkRoute(mkSet({ communities: ['2:2'] })));
    assert.ok(o.accept && o.term.name === 'default');
    assert.equal(findAttribute(attrs(o), 'localPref')?.value, 5, 'a next-term change survives to the default');
  });
  it('policies default to reject; the outcome objects without changes are shared', () => {
    const p = policyOf({ p: { terms: [{ match: { community: '1:1' }, then: 'accept' }] } });
    const a = evaluate(p, mkRoute(mkSet()));
    assert.equal(a.accept, false);
    assert.equal(a.term.index, -1);
    const s = mkSet({ communities: ['1:1'] });
    const x = evaluate(p, mkRoute(s));
    assert.ok(x.accept && x.attributes === null && x.nextHop === null);
    assert.equal(evaluate(p, mkRoute(mkSet({ communities: ['1:1', '2:2'] }))), x, 'same frozen outcome');
    assert.ok(Object.isFrozen(x));
  });
  it('later terms see earlier changes', () => {
    const p = policyOf({
      p: {
        terms: [
          { then: { community: { add: '9:9' } } },
          { match: { community: '9:9' }, then: { localPref: 1, action: 'accept' } },
        ],
      },
    });
    const o = evaluate(p, mkRoute(mkSet()));
    assert.equal(o.term.index, 1);
    assert.deepEqual(comms(o), ['9:9']);
  });
});

describe('community actions', () => {
  const base = { communities: ['65000:1', '65000:2', '1:1'] };
  it('add appends without duplicates; set replaces; remove by value, wildcard and regex', () => {
    assert.deepEqual(comms(run({ community: { add: ['65000:3', '65000:1', 'no-export'] }, action: 'accept' }, base)), ['65000:1', '65000:2', '1:1', '65000:3', '65535:65281']);
    assert.deepEqual(comms(run({ community: { set: ['7:7', '7:7'] }, action: 'accept' }, base)), ['7:7']);
    assert.deepEqual(comms(run({ community: { remove: '65000:2' }, action: 'accept' }, base)), ['65000:1', '1:1']);
    assert.deepEqual(comms(run({ community: { remove: '65000:*' }, action: 'accept' }, base)), ['1:1']);
    assert.deepEqual(comms(run({ community: { remove: { regex: '^1:' } }, action: 'accept' }, base)), ['65000:1', '65000:2']);
    assert.deepEqual(comms(run({ community: { remove: { anyOf: ['1:1'], regex: ':2$' } }, action: 'accept' }, base)), ['65000:1']);
  });
  it('set, then remove, then add within one term', () => {
    assert.deepEqual(comms(run({ community: { remove: '65000:*', add: '65000:5' }, action: 'accept' }, base)), ['1:1', '65000:5']);
    assert.deepEqual(comms(run({ community: { set: ['2:2', '3:3'], remove: '3:3', add: '4:4' }, action: 'accept' }, base)), ['2:2', '4:4']);
  });
  it('an emptied list removes the attribute; adding to a route without one creates it', () => {
    const o = run({ community: { set: [] }, action: 'accept' }, base);
    assert.equal(findAttribute(attrs(o), 'communities'), undefined);
    assert.equal(findAttribute(attrs(run({ community: { set: null }, action: 'accept' }, base)), 'communities'), undefined);
    const c = findAttribute(attrs(run({ community: { add: '1:2' }, action: 'accept' })), 'communities');
    assert.deepEqual(c?.value, [0x00010002]);
    assert.equal(c?.flags, 0xc0, 'optional transitive');
  });
  it('no-op changes leave attributes null', () => {
    const same = run({ community: { add: '1:1' }, action: 'accept' }, base);
    assert.ok(same.accept && same.attributes === null);
    const o = run({ community: { remove: '9:9' }, localPref: 100, action: 'accept' }, { ...base, localPref: 100 });
    assert.ok(o.accept && o.attributes === null);
  });
  it('extended communities', () => {
    const s = { extended: ['rt:65000:1', 'soo:65000:2'] };
    assert.deepEqual(ext(run({ extendedCommunity: { add: ['rt:4200000000:7', 'rt:192.0.2.1:9'] }, action: 'accept' }, s)), ['rt:65000:1', 'soo:65000:2', 'rt:4200000000:7', 'rt:192.0.2.1:9']);
    assert.deepEqual(ext(run({ extendedCommunity: { remove: 'soo:*:*' }, action: 'accept' }, s)), ['rt:65000:1']);
    assert.deepEqual(ext(run({ extendedCommunity: { remove: { regex: '^rt:' } }, action: 'accept' }, s)), ['soo:65000:2']);
    assert.deepEqual(ext(run({ extendedCommunity: { set: '0x030c000000000008' }, action: 'accept' }, s)), ['0x030c000000000008']);
    const created = findAttribute(attrs(run({ extendedCommunity: { add: 'rt:1:1' }, action: 'accept' })), 'extendedCommunities');
    assert.equal(created?.value.toString('hex'), '0002000100000001');
  });
  it('large communities', () => {
    const s = { large: ['65000:1:1', '65000:2:2'] };
    assert.deepEqual(large(run({ largeCommunity: { add: ['65000:3:3', '65000:1:1'] }, action: 'accept' }, s)), ['65000:1:1', '65000:2:2', '65000:3:3']);
    assert.deepEqual(large(run({ largeCommunity: { remove: '65000:*:2' }, action: 'accept' }, s)), ['65000:1:1']);
    assert.deepEqual(large(run({ largeCommunity: { remove: { regex: ':1$' } }, action: 'accept' }, s)), ['65000:2:2']);
    assert.deepEqual(large(run({ largeCommunity: { set: ['4294967295:0:4294967295'] }, action: 'accept' }, s)), ['4294967295:0:4294967295']);
  });
});

describe('scalar actions', () => {
  it('localPref set (created when missing)', () => {
    assert.equal(findAttribute(attrs(run({ localPref: 20, action: 'accept' }, { localPref: 100 })), 'localPref')?.value, 20);
    const lp = findAttribute(attrs(run({ localPref: 100, action: 'accept' })), 'localPref');
    assert.deepEqual([lp?.value, lp?.flags], [100, 0x40]);
  });
  it('med set, add and subtract saturate; a missing MED counts as 0', () => {
    const med = (then: unknown, m?: number): number | undefined => findAttribute(attrs(run({ med: then, action: 'accept' }, m === undefined ? {} : { med: m })), 'med')?.value;
    assert.equal(med(7, 3), 7);
    assert.equal(med({ set: 0 }, 3), 0);
    assert.equal(med({ add: 10 }, 5), 15);
    assert.equal(med({ add: 10 }, 4294967290), 4294967295);
    assert.equal(med({ subtract: 10 }, 5), 0);
    assert.equal(med({ subtract: 1 }, 5), 4);
    assert.equal(med({ add: 3 }), 3);
  });
  it('origin set', () => {
    assert.equal(findAttribute(attrs(run({ origin: 'incomplete', action: 'accept' })), 'origin')?.value, 2);
    assert.equal(findAttribute(attrs(run({ origin: 'egp', action: 'accept' })), 'origin')?.value, 1);
  });
  it('asPathPrepend own AS or a given one, count times', () => {
    const path = (then: unknown, p: string, localAs = LOCAL_AS): string => asPathText(findAttribute(attrs(run({ asPathPrepend: then, action: 'accept' }, { asPath: p }, localAs)), 'asPath')?.value ?? []);
    assert.equal(path({}, '65001'), '65000 65001');
    assert.equal(path({ asn: 'own', count: 3 }, '65001', 64999), '64999 64999 64999 65001');
    assert.equal(path({ asn: 4200000000, count: 2 }, ''), '4200000000 4200000000');
    assert.equal(path({ asn: '65000.1' }, '{1,2}'), '4259840001 {1,2}');
    assert.equal(path({ count: 1 }, '(64512) 1'), '65000 (64512) 1');
    const long = Array.from({ length: 254 }, () => '1').join(' ');
    const segs = findAttribute(attrs(run({ asPathPrepend: { asn: 2, count: 3 }, action: 'accept' }, { asPath: long })), 'asPath')?.value ?? [];
    assert.deepEqual(segs.map((s) => s.asns.length), [2, 255], 'a full AS_SEQUENCE starts a new segment');
  });
  it('nextHop self and unchanged are reported; an address also rewrites an IPv4 NEXT_HOP', () => {
    const self = run({ nextHop: 'self', action: 'accept' });
    assert.ok(self.accept && self.attributes === null && self.nextHop?.kind === 'self');
    const un = run({ nextHop: 'unchanged', action: 'accept' });
    assert.ok(un.accept && un.nextHop?.kind === 'unchanged');
    const a = run({ nextHop: '198.51.100.7', action: 'accept' });
    assert.ok(a.accept && a.nextHop?.kind === 'address');
    assert.equal(findAttribute(attrs(a), 'nextHop')?.value, 0xc6336407);
    const v6 = evaluate(policyOf({ p: { terms: [{ then: { nextHop: '2001:db8::9', action: 'accept' } }] } }), mkRoute(mkSet({ nextHop: '2001:db8::1' }), { prefix: '2001:db8:1::/48' }));
    assert.ok(v6.accept && v6.attributes === null && v6.nextHop?.kind === 'address' && v6.nextHop.octets.toString('hex') === '20010db8000000000000000000000009');
  });
});

describe('outcome attributes', () => {
  it('are in type-code order, keep untouched attributes and intern to the expected set', () => {
    const spec: SetSpec = { asPath: '65001', communities: ['1:1'], med: 5, large: ['1:2:3'] };
    const o = run({ localPref: 300, community: { add: '2:2' }, med: { add: 1 }, action: 'accept' }, spec);
    const list = attrs(o);
    assert.deepEqual(list.map((a) => a.code), [...list.map((a) => a.code)].sort((x, y) => x - y));
    const got: AttrSet = internList(list, Buffer.from([192, 0, 2, 1]));
    const want = mkSet({ ...spec, communities: ['1:1', '2:2'], med: 6, localPref: 300 });
    assert.equal(got, want, 'the same interned set');
  });
  it('a rejecting term ignores nothing silently: actions before reject are refused', () => {
    assert.throws(() => policyOf({ p: { terms: [{ then: { localPref: 1, action: 'reject' } }] } }), /actions before reject have no effect/);
  });
});
