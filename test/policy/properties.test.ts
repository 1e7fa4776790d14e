/**
 * Properties of the policy engine checked with fast-check: prepending N times adds exactly N
 * ASes; adding a community and removing it again (in two terms) is the identity on sets
 * without it, for all three kinds; MED arithmetic saturates; the AS-path text round-trips and
 * `_N_` matches exactly the paths holding N; prefix-list entries agree with a bit-by-bit
 * reference; every accepted outcome interns into a valid set; the cache agrees with
 * direct evaluation.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { asPathText, compileAsPathRegex } from '../../src/policy/as-path-regex.js';
import { PolicyCache } from '../../src/policy/cache.js';
import { formatLarge, formatStandard } from '../../src/policy/communities.js';
import { evaluate } from '../../src/policy/evaluate.js';
import { entryMatches, parsePrefixEntry } from '../../src/policy/prefix.js';
import type { SourceRole } from '../../src/policy/types.js';
import type { AsPath } from '../../src/wire/attribute-types.js';
import { findAttribute } from '../../src/wire/attribute-types.js';
import { AS_PATH_SEGMENT } from '../../src/wire/iana.js';
import { GROUPS, internList, mkRoute, mkSet, parsePath, policyOf } from './helpers.js';

const RUNS = { numRuns: 200 };
const asn = fc.integer({ min: 1, max: 0xffffffff }).filter((a) => a !== 23456);
const segment = fc.record({
  type: fc.constantFrom(AS_PATH_SEGMENT.AS_SEQUENCE, AS_PATH_SEGMENT.AS_SET, AS_PATH_SEGMENT.AS_CONFED_SEQUENCE),
  asns: fc.array(fc.integer({ min: 1, max: 70000 }), { minLength: 1, maxLength: 6 }),
});
const path = fc.array(segment, { maxLength: 4 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const standard = fc.tuple(u16, u16).map(([a, b]) => `${a}:${b}`);
const large = fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([a, b, c]) => formatLarge(a, b, c));
const count = (p: AsPath): number => p.reduce((n, s) => n + s.asns.length, 0);

describe('policy properties', () => {
  it('prepending N times adds exactly N copies in front', () => {
    fc.assert(
      fc.property(path, asn, fc.integer({ min: 1, max: 32 }), (p, a, n) => {
        const o = evaluate(policyOf({ p: { terms: [{ then: { asPathPrepend: { asn: a, count: n }, action: 'accept' } }] } }), mkRoute(mkSet({ asPath: p })));
        assert.ok(o.accept && o.attributes !== null);
        const out = findAttribute(o.attributes, 'asPath')?.value ?? [];
        assert.equal(count(out), count(p) + n);
        assert.equal(asPathText(out), [...new Array<string>(n).fill(String(a)), asPathText(p)].filter((x) => x !== '').join(' '));
      }),
      RUNS,
    );
  });

  it('add then remove in two terms is the identity on sets without the community', () => {
    const kinds = [
      { key: 'community', value: standard, spec: (l: string[]) => ({ communities: l }) },
      { key: 'largeCommunity', value: large, spec: (l: string[]) => ({ large: l }) },
      { key: 'extendedCommunity', value: fc.tuple(fc.integer({ min: 1, max: 0xffff }), fc.nat()).map(([a, b]) => `rt:${a}:${b}`), spec: (l: string[]) => ({ extended: l }) },
    ] as const;
    for (const k of kinds) {
      fc.assert(
        fc.property(fc.uniqueArray(k.value, { maxLength: 6 }), k.value, (existing, c) => {
          fc.pre(!existing.includes(c));
          const p = policyOf({ p: { default: 'accept', terms: [{ then: { [k.key]: { add: c } } }, { then: { [k.key]: { remove: c } } }] } });
          const o = evaluate(p, mkRoute(mkSet(k.spec(existing))));
          assert.ok(o.accept);
          assert.equal(o.attributes, null, `${k.key} ${c} on ${existing.join(' ')}`);
        }),
        RUNS,
      );
    }
  });

  it('MED add/subtract saturate at 0 and 2^32-1', () => {
    fc.assert(
      fc.property(fc.option(fc.nat({ max: 0xffffffff })), fc.nat({ max: 0xffffffff }), fc.boolean(), (med, n, add) => {
        const p = policyOf({ p: { terms: [{ then: { med: add ? { add: n } : { subtract: n }, action: 'accept' } }] } });
        const o = evaluate(p, mkRoute(mkSet(med === null ? {} : { med })));
        assert.ok(o.accept);
        const got = o.attributes === null ? med : findAttribute(o.attributes, 'med')?.value;
        const want = add ? Math.min(0xffffffff, (med ?? 0) + n) : Math.max(0, (med ?? 0) - n);
        assert.equal(got, want);
      }),
      RUNS,
    );
  });

  it('the path text round-trips and _N_ matches exactly the paths that hold N', () => {
    fc.assert(
      fc.property(path, fc.integer({ min: 1, max: 70000 }), (p, n) => {
        const text = asPathText(p);
        assert.equal(asPathText(parsePath(text)), text);
        const r = compileAsPathRegex(`_${n}_`);
        assert.ok(r.ok);
        assert.equal(r.regex.test(text), p.some((s) => s.asns.includes(n)));
      }),
      RUNS,
    );
  });

  it('prefix-list entries agree with a bit-by-bit reference (IPv4)', () => {
    const bitsOf = (x: number, len: number): string => (x >>> 0).toString(2).padStart(32, '0').slice(0, len);
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 32 }), fc.nat({ max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (net, len, g, l, addr, b) => {
        const masked = len === 0 ? 0 : (net & (0xffffffff << (32 - len))) >>> 0;
        const [ge, le] = [Math.max(len, Math.min(g, l)), Math.max(len, Math.max(g, l))];
        const text = `${[24, 16, 8, 0].map((s) => (masked >>> s) & 255).join('.')}/${len} ge ${ge} le ${le}`;
        const e = parsePrefixEntry(text, undefined, undefined);
        assert.ok(!('error' in e), text);
        const octets = new Uint8Array([24, 16, 8, 0].map((s) => (addr >>> s) & 255));
        const want = b >= ge && b <= le && bitsOf(addr, len) === bitsOf(masked, len);
        assert.equal(entryMatches(e, 1, b, octets), want, `${text} vs ${addr}/${b}`);
      }),
      { numRuns: 1000 },
    );
  });

  const busy = policyOf({
    prefixLists: { pl: ['10.0.0.0/8 le 24'] },
    p: {
      default: 'accept',
      terms: [
        { match: { community: { regex: '^65000:1' } }, then: { community: { remove: { regex: '^65000:' }, add: ['65000:5', 'no-export'] }, localPref: 7 } },
        { match: { fromGroup: 'core', routeType: 'fromNonClient' }, then: { med: { add: 100 }, largeCommunity: { add: '1:2:3' } } },
        { match: { asPath: '_65001_' }, then: { asPathPrepend: { count: 2 }, origin: 'incomplete', extendedCommunity: { set: 'rt:65000:9' } } },
        { match: { family: 'ipv6-unicast' }, then: 'reject' },
        { match: { prefixList: 'pl' }, then: { nextHop: '192.0.2.99', action: 'accept' } },
      ],
    },
  });
  const setSpec = fc.record({
    asPath: path,
    communities: fc.uniqueArray(fc.oneof(standard, fc.integer({ min: 0, max: 20 }).map((v) => `65000:${v}`)), { maxLength: 5 }),
    large: fc.uniqueArray(large, { maxLength: 2 }),
    med: fc.option(fc.nat(), { nil: undefined }),
    localPref: fc.option(fc.nat(), { nil: undefined }),
  });
  const source = fc.record({ group: fc.constantFrom(...GROUPS), role: fc.constantFrom<SourceRole>('client', 'nonClient', 'ebgp', 'local') });

  it('every accepted outcome interns into a set that decodes, and communities stay unique', () => {
    fc.assert(
      fc.property(setSpec, source, fc.constantFrom('10.1.0.0/16', '192.0.2.0/24', '2001:db8::/32'), (spec, src, prefix) => {
        const set = mkSet(spec);
        const o = evaluate(busy, mkRoute(set, { ...src, prefix }));
        if (!o.accept || o.attributes === null) return;
        const nh = o.nextHop?.kind === 'address' ? o.nextHop.octets : set.nextHop;
        const again = internList(o.attributes, nh);
        const cs = (findAttribute(again.attributes, 'communities')?.value ?? []).map(formatStandard);
        assert.equal(new Set(cs).size, cs.length);
      }),
      RUNS,
    );
  });

  it('the cache answers as direct evaluation does', () => {
    const cached = policyOf({ p: { default: 'accept', terms: [{ match: { fromGroup: 'core' }, then: { localPref: 1 } }, { match: { community: '65000:1' }, then: 'reject' }] } });
    const cache = new PolicyCache(cached);
    fc.assert(
      fc.property(fc.array(fc.tuple(setSpec, source), { minLength: 1, maxLength: 10 }), (routes) => {
        for (const [spec, src] of routes) {
          const r = mkRoute(mkSet(spec), src);
          assert.deepEqual(cache.evaluate(r), evaluate(cached, r));
          assert.deepEqual(cache.evaluate(r), evaluate(cached, r));
        }
      }),
      { numRuns: 100 },
    );
    assert.ok(cache.hits > 0 && cache.misses > 0);
  });
});
