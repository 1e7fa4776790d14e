// Capability codec (RFC 5492 §4 and the per-capability RFCs): one annotated hex vector per kind,
// malformed values kept as `unknown`, truncated TLVs, and fast-check round trips / no-throw.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { capabilityCode, isTypedCapabilityCode } from '../../src/wire/capabilities.js';
import {
  capabilityProblems,
  decodeCapabilities,
  decodeCapability,
  malformedCapabilityError,
  validateCapability,
} from '../../src/wire/capability-decode.js';
import {
  capabilitiesLength,
  capabilityLength,
  encodeCapabilitiesInto,
  encodeCapabilityInto,
} from '../../src/wire/capability-encode.js';
import type { AddPathMode, Capability } from '../../src/wire/capabilities.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex');

/** Encode at offset 0 and at offset 7; both must match `bytes`, and the length must agree. */
function assertEncodes(c: Capability, bytes: Buffer): void {
  assert.equal(capabilityLength(c), bytes.length);
  const buf = Buffer.alloc(bytes.length + 9, 0xee);
  assert.equal(encodeCapabilityInto(c, buf, 7), 7 + bytes.length);
  assert.equal(buf.subarray(7, 7 + bytes.length).toString('hex'), bytes.toString('hex'));
  assert.equal(buf[6], 0xee);
  assert.equal(buf[7 + bytes.length], 0xee);
}

/** A full TLV vector: decode (via decodeCapabilities), compare, re-encode byte for byte. */
function vector(tlv: string, expected: Capability): void {
  const bytes = hex(tlv);
  const r = decodeCapabilities(bytes);
  assert.ok(r.ok);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.capabilities, [expected]);
  assertEncodes(expected, bytes);
}

describe('capability vectors, one per kind', () => {
  it('multiprotocol (1, RFC 4760 §8)', () =>
    vector('01 04 0002 00 01', { kind: 'multiprotocol', afi: 2, safi: 1 })); // code, len, AFI IPv6, reserved, SAFI unicast
  it('route refresh (2, RFC 2918)', () => vector('02 00', { kind: 'routeRefresh' }));
  it('route refresh, Cisco pre-standard (128)', () => vector('80 00', { kind: 'routeRefreshOld' }));
  it('enhanced route refresh (70, RFC 7313)', () => vector('46 00', { kind: 'enhancedRouteRefresh' }));
  it('extended message (6, RFC 8654)', () => vector('06 00', { kind: 'extendedMessage' }));
  it('4-octet AS (65, RFC 6793)', () => vector('41 04 fcde3a10', { kind: 'fourOctetAs', asn: 4242422288 }));
  it('role (9, RFC 9234)', () => vector('09 01 03', { kind: 'role', role: 3 })); // customer

  it('graceful restart (64, RFC 4724 + RFC 8538 N bit)', () =>
    vector(
      '40 0a' + // code 64, length 10
        'c078' + // R=1 N=1, restart time 0x078 = 120 s
        '0001 01 80' + // IPv4 unicast, F=1
        '0002 01 00', // IPv6 unicast, F=0
      {
        kind: 'gracefulRestart',
        restarting: true,
        notification: true,
        restartTime: 120,
        families: [
          { afi: 1, safi: 1, forwardingPreserved: true },
          { afi: 2, safi: 1, forwardingPreserved: false },
        ],
      },
    ));

  it('graceful restart with no families (helper only)', () =>
    vector('40 02 4fff', { kind: 'gracefulRestart', restarting: false, notification: true, restartTime: 4095, families: [] }));

  it('add-path (69, RFC 7911 §4)', () =>
    vector(
      '45 0c' + // code 69, length 12
        '0001 01 01' + // IPv4 unicast receive
        '0002 01 02' + // IPv6 unicast send
        '0001 80 03', // IPv4 VPN both
      {
        kind: 'addPath',
        families: [
          { afi: 1, safi: 1, mode: 'receive' },
          { afi: 2, safi: 1, mode: 'send' },
          { afi: 1, safi: 128, mode: 'both' },
        ],
      },
    ));

  it('extended next hop (5, RFC 8950 §3)', () =>
    vector(
      '05 0c' + // code 5, length 12
        '0001 0001 0002' + // IPv4 unicast over IPv6 next hop
        '0001 0080 0002', // IPv4 VPN over IPv6 next hop
      {
        kind: 'extendedNextHop',
        entries: [
          { afi: 1, safi: 1, nextHopAfi: 2 },
          { afi: 1, safi: 128, nextHopAfi: 2 },
        ],
      },
    ));

  it('FQDN (73, draft-walton-bgp-hostname)', () =>
    vector(
      '49 0c' + // code 73, length 12
        '03 727231' + // hostname "rr1"
        '07 6578616d706c65', // domain "example"
      { kind: 'fqdn', hostname: 'rr1', domain: 'example' },
    ));

  it('FQDN with an empty domain', () => vector('49 05 03 727231 00', { kind: 'fqdn', hostname: 'rr1', domain: '' }));

  it('long-lived graceful restart (71, RFC 9494 §3)', () =>
    vector(
      '47 0e' + // code 71, length 14
        '0001 01 80 000e10' + // IPv4 unicast, F=1, stale 3600 s
        '0002 01 00 ffffff', // IPv6 unicast, F=0, stale 16777215 s
      {
        kind: 'longLivedGracefulRestart',
        families: [
          { afi: 1, safi: 1, forwardingPreserved: true, staleTime: 3600 },
          { afi: 2, safi: 1, forwardingPreserved: false, staleTime: 0xffffff },
        ],
      },
    ));

  it('software version (75, draft-abraitis-bgp-version-capability)', () =>
    vector('4b 0d 0c 6d65736872722f302e312e30', { kind: 'softwareVersion', version: 'meshrr/0.1.0' }));

  it('unknown code, kept byte-exact (ORF 3 has no typed form)', () =>
    vector('03 07 0001 00 01 01 40 03', { kind: 'unknown', code: 3, value: hex('0001000101 4003') }));

  it('maps every kind to its code', () => {
    assert.equal(capabilityCode({ kind: 'longLivedGracefulRestart', families: [] }), 71);
    assert.equal(capabilityCode({ kind: 'unknown', code: 200, value: Buffer.alloc(0) }), 200);
    assert.equal(isTypedCapabilityCode(65), true);
    assert.equal(isTypedCapabilityCode(3), false);
  });
});

describe('reserved bits are ignored on receipt and sent as zero', () => {
  it('multiprotocol reserved octet', () => {
    const c = decodeCapability(1, hex('0001 7f 01'));
    assert.deepEqual(c, { kind: 'multiprotocol', afi: 1, safi: 1 });
    assertEncodes(c, hex('01 04 0001 00 01'));
  });
  it('graceful restart flag bits other than R/N, family flags other than F', () => {
    const c = decodeCapability(64, hex('3078 0001 01 7f'));
    assert.deepEqual(c, {
      kind: 'gracefulRestart',
      restarting: false,
      notification: false,
      restartTime: 120,
      families: [{ afi: 1, safi: 1, forwardingPreserved: false }],
    });
  });
});

describe('malformed known capabilities', () => {
  const cases: [string, number, string][] = [
    ['multiprotocol of 3', 1, '000100'],
    ['route refresh with a value', 2, '00'],
    ['enhanced route refresh with a value', 70, '0000'],
    ['extended message with a value', 6, '01'],
    ['4-octet AS of 2', 65, 'fde8'],
    ['role of 0', 9, ''],
    ['graceful restart of 1', 64, '00'],
    ['graceful restart of 2 + 3', 64, '0078 000101'],
    ['add-path of 5', 69, '0001010100'],
    ['add-path with mode 4', 69, '00010104'],
    ['add-path with mode 0', 69, '00010100'],
    ['extended next hop of 4', 5, '00010001'],
    ['LLGR of 6', 71, '000101800e10'],
    ['FQDN empty', 73, ''],
    ['FQDN hostname overrun', 73, '05 6162'],
    ['FQDN without domain length', 73, '02 6162'],
    ['FQDN with trailing octets', 73, '01 61 01 62 00'],
    ['FQDN not UTF-8', 73, '01 ff 00'],
    ['software version empty', 75, ''],
    ['software version overrun', 75, '05 6162'],
    ['software version short', 75, '01 6162'],
    ['software version not UTF-8', 75, '02 c328'],
  ];
  for (const [name, code, value] of cases) {
    it(name, () => {
      const v = hex(value);
      assert.notEqual(validateCapability(code, v), null);
      const c = decodeCapability(code, v);
      assert.equal(c.kind, 'unknown');
      if (c.kind !== 'unknown') return;
      assert.equal(c.code, code);
      assert.ok(c.value.equals(v));
      if (v.length > 0) {
        v[0] = (v[0] ?? 0) ^ 0xff; // the decoded value is a copy
        assert.notEqual(c.value[0], v[0]);
      }
    });
  }

  it('are listed as problems; the list still decodes and re-encodes exactly', () => {
    const bytes = hex('01 04 0001 0001' + '41 02 fde8' + '02 00');
    const r = decodeCapabilities(bytes);
    assert.ok(r.ok);
    assert.equal(r.capabilities.length, 3);
    assert.equal(r.problems.length, 1);
    const p = r.problems[0];
    assert.ok(p);
    assert.equal(p.code, 65);
    assert.deepEqual(capabilityProblems(r.capabilities), r.problems);
    const e = malformedCapabilityError(p);
    assert.equal(e.reason, 'badCapability');
    assert.equal(e.action, 'sessionReset');
    assert.deepEqual([e.notification.code, e.notification.subcode, e.notification.data.length], [2, 0, 0]);
    const out = Buffer.alloc(capabilitiesLength(r.capabilities));
    assert.equal(encodeCapabilitiesInto(r.capabilities, out, 0), bytes.length);
    assert.ok(out.equals(bytes));
  });

  it('unknown codes are not problems (RFC 5492 §3: ignore them)', () => {
    const r = decodeCapabilities(hex('c8 02 abcd'));
    assert.ok(r.ok);
    assert.deepEqual(r.problems, []);
  });
});

describe('truncated capability TLVs', () => {
  for (const [name, tlv] of [
    ['lone code octet', '02 00 41'],
    ['length overruns', '41 04 0000'],
  ] as const) {
    it(`${name}: OPEN Message Error / 0`, () => {
      const r = decodeCapabilities(hex(tlv));
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.reason, 'badCapability');
      assert.deepEqual([r.error.notification.code, r.error.notification.subcode], [2, 0]);
    });
  }
  it('an empty list is fine', () => assert.deepEqual(decodeCapabilities(Buffer.alloc(0)), { ok: true, capabilities: [], problems: [] }));
});

describe('encoder invariants', () => {
  it('throws RangeError for values that cannot be encoded', () => {
    assert.throws(() => capabilityLength({ kind: 'softwareVersion', version: 'x'.repeat(255) }), RangeError);
    const gr: Capability = { kind: 'gracefulRestart', restarting: false, notification: false, restartTime: 4096, families: [] };
    assert.throws(() => encodeCapabilityInto(gr, Buffer.alloc(8), 0), RangeError);
  });
});

// ===== properties =====

/** fc.record without null prototypes, so node:assert's strict deepEqual compares plain objects. */
function rec<T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true, requiredKeys: Object.keys(model) as (keyof T)[] }) as fc.Arbitrary<T>;
}

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const mode = fc.constantFrom<AddPathMode>('receive', 'send', 'both');
const text = (max: number): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength: max });

const capabilityArb: fc.Arbitrary<Capability> = fc.oneof(
  rec({ kind: fc.constant('multiprotocol' as const), afi: u16, safi: u8 }),
  fc.constantFrom<Capability>(
    { kind: 'routeRefresh' },
    { kind: 'routeRefreshOld' },
    { kind: 'enhancedRouteRefresh' },
    { kind: 'extendedMessage' },
  ),
  rec({ kind: fc.constant('fourOctetAs' as const), asn: fc.integer({ min: 0, max: 0xffffffff }) }),
  rec({
    kind: fc.constant('gracefulRestart' as const),
    restarting: fc.boolean(),
    notification: fc.boolean(),
    restartTime: fc.integer({ min: 0, max: 0xfff }),
    families: fc.array(rec({ afi: u16, safi: u8, forwardingPreserved: fc.boolean() }), { maxLength: 20 }),
  }),
  rec({
    kind: fc.constant('addPath' as const),
    families: fc.array(rec({ afi: u16, safi: u8, mode }), { maxLength: 20 }),
  }),
  rec({
    kind: fc.constant('extendedNextHop' as const),
    entries: fc.array(rec({ afi: u16, safi: u16, nextHopAfi: u16 }), { maxLength: 20 }),
  }),
  rec({ kind: fc.constant('fqdn' as const), hostname: text(30), domain: text(30) }),
  rec({ kind: fc.constant('role' as const), role: u8 }),
  rec({
    kind: fc.constant('longLivedGracefulRestart' as const),
    families: fc.array(
      rec({ afi: u16, safi: u8, forwardingPreserved: fc.boolean(), staleTime: fc.integer({ min: 0, max: 0xffffff }) }),
      { maxLength: 20 },
    ),
  }),
  rec({ kind: fc.constant('softwareVersion' as const), version: text(60) }),
  rec({
    kind: fc.constant('unknown' as const),
    code: u8.filter((c) => !isTypedCapabilityCode(c)),
    value: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  }),
);

describe('properties', () => {
  it('decode(encode(c)) = c for any valid capability, at any offset', () => {
    fc.assert(
      fc.property(fc.array(capabilityArb, { maxLength: 6 }), fc.nat(16), (caps, offset) => {
        const len = capabilitiesLength(caps);
        const buf = Buffer.alloc(offset + len);
        assert.equal(encodeCapabilitiesInto(caps, buf, offset), offset + len);
        const r = decodeCapabilities(buf.subarray(offset));
        assert.ok(r.ok);
        assert.deepEqual(r.problems, []);
        assert.deepEqual(r.capabilities, caps);
      }),
    );
  });

  it('random bytes never throw, and what decodes re-encodes to its own length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeCapabilities(Buffer.from(bytes));
        if (!r.ok) return;
        const out = Buffer.alloc(capabilitiesLength(r.capabilities));
        assert.equal(encodeCapabilitiesInto(r.capabilities, out, 0), out.length);
        assert.equal(out.length, bytes.length);
      }),
    );
    fc.assert(
      fc.property(u8, fc.uint8Array({ maxLength: 255 }), (code, value) => {
        decodeCapability(code, Buffer.from(value));
        validateCapability(code, Buffer.from(value));
      }),
    );
  });

  it('a well-formed typed value re-encodes to the same bytes unless it set reserved bits', () => {
    fc.assert(
      fc.property(fc.constantFrom(5, 9, 65, 69, 73, 75), fc.uint8Array({ maxLength: 40 }), (code, value) => {
        const v = Buffer.from(value);
        const c = decodeCapability(code, v);
        const out = Buffer.alloc(capabilityLength(c));
        encodeCapabilityInto(c, out, 0);
        assert.ok(out.subarray(2).equals(v));
      }),
    );
  });
});
