/**
 * Property tests for the router config: any valid RouterConfig, written as YAML with the
 * `yaml` package's stringify (src/config/router-config-render.ts), parses back to the same
 * RouterConfig; and the parser's canonical IPv6 text agrees with the WHATWG URL serialiser
 * (an independent RFC 5952 implementation in Node).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compilePolicies } from '../../src/policy/compile.js';
import { GROUP_KEYS, parseRouterConfig, ROOT_KEYS, stringifyRouterConfig } from '../../src/config/router-config.js';
import type { FamilyName, GroupConfig, GroupRole, NeighborConfig, PeerAsConfig, RouterConfig } from '../../src/config/router-config.js';
import { suggestKey } from '../../src/config/router-config-fields.js';
import { addressText, parseIpAddress } from '../../src/config/router-config-ip.js';

const FAMILIES: FamilyName[] = ['ipv4-unicast', 'ipv6-unicast', 'l2vpn-evpn', 'ipv4-vpn', 'ipv6-vpn', 'ipv4-flowspec', 'ipv6-flowspec', 'ipv4-labeled-unicast', 'ipv6-labeled-unicast'];
const AS_TRANS = 23456;
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const nonZeroU32 = fc.integer({ min: 1, max: 0xffffffff });
const asn = fc.integer({ min: 1, max: 0xffffffff }).filter((a) => a !== AS_TRANS);
/** The parser makes ordinary objects; fast-check may make null-prototype ones unless told. */
const PLAIN = { noNullPrototype: true } as const;
const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null });
const quad = (n: number): string => `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;

/** Canonical IPv6 text from 128 bits, by the WHATWG URL serialiser (not the code under test). */
function v6Text(bits: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bits >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}
const isMapped = (bits: bigint): boolean => bits >> 32n === 0xffffn;
const v6Bits = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).filter((b) => !isMapped(b));
const v4Address = u32.map(quad);
const v6Address = v6Bits.map(v6Text);

/** A masked prefix inside base/baseLen (IPv4 or IPv6), as canonical text. */
function prefixIn(v6: boolean, base: bigint, baseLen: number): fc.Arbitrary<string> {
  const width = v6 ? 128 : 32;
  return fc.tuple(fc.integer({ min: baseLen, max: width }), fc.bigInt({ min: 0n, max: (1n << BigInt(width - baseLen)) - 1n })).map(([len, low]) => {
    const host = BigInt(width - len);
    const bits = ((base | low) >> host) << host;
    return `${v6 ? v6Text(bits) : quad(Number(bits))}/${len}`;
  });
}

/** JSON-like values as plain objects (fast-check may make null-prototype ones); no `<<` keys. */
/** Policy names: any text but the reserved ones (`prefixLists`, the YAML merge key, empty). */
const policyName = fc.string({ minLength: 1, maxLength: 10 }).filter((k) => k !== '<<' && k !== 'prefixLists');
/** Valid policy definitions of the grammar in docs/policy.md. */
const policyDefinition = fc.constantFrom<Record<string, unknown>>(
  {},
  { default: 'accept' },
  { default: 'reject', terms: [{ name: 'regional', match: { community: '65000:101' }, then: 'reject' }, { then: { localPref: 20, action: 'accept' } }] },
  { description: 'strip', default: 'accept', terms: [{ then: { community: { remove: ['65000:*'] }, action: 'next-term' } }] },
);

const raw = fc
  .jsonValue({ maxDepth: 3 })
  .filter((v) => !JSON.stringify(v).includes('"<<"'))
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);

const extraKey = fc.stringMatching(/^[a-z][a-z_]{1,12}$/).filter((k) => k !== '<<' && !(GROUP_KEYS as readonly string[]).includes(k) && suggestKey(k, GROUP_KEYS) === null);

function peerAsFor(role: GroupRole, ourAs: number): fc.Arbitrary<PeerAsConfig> {
  if (role !== 'ebgp') return fc.constantFrom<PeerAsConfig>({ kind: 'internal' }, { kind: 'exact', asn: ourAs });
  const other = asn.filter((a) => a !== ourAs);
  const range = fc
    .tuple(asn, asn)
    .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }))
    .filter((r) => ourAs < r.min || ourAs > r.max);
  return fc.oneof(
    fc.constant<PeerAsConfig>({ kind: 'external' }),
    other.map<PeerAsConfig>((a) => ({ kind: 'exact', asn: a })),
    fc.array(range, { minLength: 1, maxLength: 3 }).map<PeerAsConfig>((ranges) => ({ kind: 'ranges', ranges })),
  );
}

function neighbor(slot: number, role: GroupRole, ourAs: number, policies: readonly string[]): fc.Arbitrary<NeighborConfig> {
  // Group `slot` takes neighbours from 172.16.slot.0/24 or fd00:slot::/64, so groups never share one.
  return fc.boolean().chain((v6) =>
    fc.record({
      address: v6 ? prefixIn(true, (0xfd00n << 112n) | (BigInt(slot) << 96n), 64).map((p) => p.split('/')[0] as string) : fc.integer({ min: 0, max: 255 }).map((h) => `172.16.${slot}.${h}`),
      port: fc.integer({ min: 1, max: 65535 }),
      localAddress: nullable(v6 ? v6Address : v4Address),
      peerAs: nullable(peerAsFor(role, ourAs)),
      passive: nullable(fc.boolean()),
      description: nullable(fc.string({ minLength: 1, maxLength: 20 })),
      importPolicy: policies.length === 0 ? fc.constant(null) : nullable(fc.constantFrom(...policies)),
    }, PLAIN),
  );
}

function group(slot: number, ourAs: number, policies: readonly string[]): fc.Arbitrary<GroupConfig> {
  return fc
    .record({ role: fc.constantFrom<GroupRole>('client', 'nonClient', 'ebgp'), holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 65535 })) })
    .chain(({ role, holdTime }) =>
      fc.record({
        name: fc.string({ minLength: 1, maxLength: 12 }).map((s) => `${slot}-${s}`),
        role: fc.constant(role),
        clusterId: nonZeroU32,
        clientToClient: fc.boolean(),
        routeServer: role === 'ebgp' ? fc.boolean() : fc.constant(false),
        peerAs: peerAsFor(role, ourAs),
        passive: fc.boolean(),
        families: fc.shuffledSubarray(FAMILIES, { minLength: 1 }),
        holdTime: fc.constant(holdTime),
        keepaliveTime: nullable(holdTime === 0 ? fc.constant(0) : fc.integer({ min: 1, max: holdTime - 1 })),
        connectRetryTime: fc.integer({ min: 1, max: 65535 }),
        multihopTtl: nullable(fc.integer({ min: 1, max: 255 })),
        // Group `slot` takes ranges inside 10.slot.0.0/16 and 2001:db8:slot::/48: no overlap between groups.
        listenRanges: fc.array(fc.oneof(prefixIn(false, BigInt((10 << 24) | (slot << 16)), 16), prefixIn(true, (0x20010db8n << 96n) | (BigInt(slot) << 80n), 48)), { maxLength: 3 }),
        maxDynamicPeers: nullable(u32),
        neighbors: fc.uniqueArray(neighbor(slot, role, ourAs, policies), { maxLength: 3, selector: (n) => n.address }),
        maxPrefix: nullable(fc.record({ limit: nonZeroU32, warningPercent: fc.integer({ min: 1, max: 100 }), restartSeconds: fc.integer({ min: 0, max: 65535 }) }, PLAIN)),
        addPathSend: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constant('all' as const)),
        addPathReceive: fc.boolean(),
        importPolicy: policies.length === 0 ? fc.constant(null) : nullable(fc.constantFrom(...policies)),
        exportPolicy: policies.length === 0 ? fc.constant(null) : nullable(fc.constantFrom(...policies)),
        extra: fc.dictionary(extraKey, raw, { maxKeys: 3, ...PLAIN }),
      }, PLAIN),
    );
}

const routerConfig: fc.Arbitrary<RouterConfig> = fc
  .record({ asn, policies: fc.dictionary(policyName, policyDefinition, { maxKeys: 3, ...PLAIN }), groups: fc.integer({ min: 1, max: 4 }) })
  .chain(({ asn: ourAs, policies, groups }) =>
    fc.record({
      routerId: nonZeroU32,
      asn: fc.constant(ourAs),
      hostname: fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((h) => Buffer.byteLength(h) <= 255),
      listen: fc.uniqueArray(fc.record({ address: fc.oneof(v4Address, v6Address), port: fc.integer({ min: 1, max: 65535 }) }, PLAIN), { maxLength: 3, selector: (l) => `${l.address} ${l.port}` }),
      maxDynamicPeers: u32,
      alwaysCompareMed: fc.boolean(),
      deterministicMed: fc.boolean(),
      gracefulRestart: fc.record({ enabled: fc.boolean(), restartTime: fc.integer({ min: 0, max: 4095 }), staleRoutesTime: fc.integer({ min: 1, max: 4095 }), notification: fc.boolean() }, PLAIN),
      groups: fc.tuple(...Array.from({ length: groups }, (_, slot) => group(slot, ourAs, Object.keys(policies).filter((k) => k !== '')))),
      policies: fc.constant(policies),
    }, PLAIN),
  )
  .map((c) => ({
    ...c,
    routerIdText: quad(c.routerId),
    policySet: compilePolicies(c.policies, 'rr.yml', { localAs: c.asn, groups: c.groups.map((g) => g.name) }),
  }));

/** The compiled policies hold closures: compare the rest, and the policy names. */
function withoutCompiled(c: RouterConfig): Omit<RouterConfig, 'policySet'> & { policyNames: string[] } {
  const { policySet, ...rest } = c;
  return { ...rest, policyNames: [...policySet.policies.keys()].sort() };
}

describe('router config round trip', () => {
  it('stringify then parse gives the same RouterConfig', () => {
    fc.assert(
      fc.property(routerConfig, (c) => {
        const text = stringifyRouterConfig(c);
        assert.deepStrictEqual(withoutCompiled(parseRouterConfig(text, 'rr.yml')), withoutCompiled(c), text);
      }),
      { numRuns: 300 },
    );
  });

  it('every top-level and group key is written', () => {
    fc.assert(
      fc.property(routerConfig, (c) => {
        const text = stringifyRouterConfig(c);
        for (const k of [...ROOT_KEYS, ...GROUP_KEYS]) assert.match(text, new RegExp(`^\\s*(- )?${k}:`, 'm'));
      }),
      { numRuns: 20 },
    );
  });
});

describe('canonical addresses', () => {
  it('IPv6 text matches the WHATWG URL serialiser (RFC 5952 compression)', () => {
    fc.assert(
      fc.property(v6Bits, fc.boolean(), (bits, upper) => {
        const full = Array.from({ length: 8 }, (_, i) => ((bits >> BigInt(112 - 16 * i)) & 0xffffn).toString(16).padStart(4, '0')).join(':');
        const parsed = parseIpAddress(upper ? full.toUpperCase() : full);
        assert.ok(parsed !== null);
        assert.equal(addressText(parsed), v6Text(bits));
      }),
    );
  });
});
